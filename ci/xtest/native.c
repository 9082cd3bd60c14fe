/* Golden images in this host's byte order (see native_image.h). */
#include "xtest.h"
#include "../../conformance/common/native_image.h"

#include <stdlib.h>
#include <string.h>

unsigned char *xt_native(const unsigned char *image, size_t len, pyshm_layout layout) {
    unsigned char *img = malloc(len ? len : 1);
    if (img == NULL)
        return NULL;
    memcpy(img, image, len);
    native_image(img, len, layout);
    return img;
}
