"""coord: the 1+2+N coordination engine for major investment projects."""
