"""The conformance harness: drives adapters through the cases of conformance/."""
