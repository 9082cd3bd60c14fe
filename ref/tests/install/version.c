/* Built against an installed libpyshm with pkg-config's flags: prints the
 * version of the library it runs with, then the header's. */
#include <pyshm.h>
#include <stdio.h>

int main(void) {
    printf("%s %s\n", pyshm_version(), PYSHM_VERSION);
    return 0;
}
