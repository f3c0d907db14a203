"""Figures, returned and never shown: the shared canvas and label placement (`canvas`), figures
of static spaces (`static`) and of contextual models (`contextual`).
"""
