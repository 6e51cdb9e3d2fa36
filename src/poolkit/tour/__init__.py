"""The seed tour: each lesson of the source articles as one command and one function call.

``explore`` (filter -> detect -> condense), ``explain`` (output sizes under every convention),
``trace`` (window by window) and ``invariance`` (two dots, shift errors); ``tour`` runs them
all. Each returns its numbers and a Matplotlib figure (Agg backend); Matplotlib, Pillow and
scikit-image are imported only when a function runs.
"""
