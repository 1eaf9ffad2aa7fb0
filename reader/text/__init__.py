"""Pure text functions: decoding, sanitising, segmentation and offsets. No UI."""
