"""The figures a finished study can draw (one list for the plots package and the command line)."""

FIGURE_KINDS = ("outcomes", "ladder", "peak", "timing", "casualties")
