"""Figures, returned and never shown: the shared canvas and label placement (`canvas`), figures
of static spaces (`static`), of contextual models (`contextual`) and a training's loss curve (`loss`).
"""
