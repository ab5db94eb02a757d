"""Framework-free numerical core of Maillage (numpy/scipy only, never Django).

Weighting and estimation for the observatory, indices, accessibility and siting for the
diagnostic. Every public function takes and returns arrays or plain objects so that it can be
imported, tested and benchmarked without the web application.
"""
