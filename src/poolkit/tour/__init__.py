"""The seed tour: each lesson of the source articles as one command and one function call.

``poolkit.tour.explore.explore`` (filter -> detect -> condense), ``explain.explain`` (output
sizes under every convention), ``trace.trace`` (window by window) and
``invariance.invariance`` (two dots, shift errors); ``tour.tour`` runs them all. Each returns
its numbers and a Matplotlib figure (Agg backend); Matplotlib, Pillow and scikit-image are
imported only when a function runs.

>>> from poolkit.tour.trace import trace
>>> trace(figure=False).output.tolist()
[[2.0, 3.0], [5.0, 1.0]]
"""
