"""Analogy quizzes: questions (`questions`), a session and its grading (`session`), the history
(`history`).
"""
