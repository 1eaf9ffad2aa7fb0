"""Sample articles and the default label set shipped with reader."""
