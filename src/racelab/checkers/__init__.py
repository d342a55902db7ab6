"""Pure checkers: recorded history in, verdict and evidence out. No I/O."""
