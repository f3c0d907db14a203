"""Quizzes: analogy questions (`questions`), a session and its grading (`session`), the history
(`history`); the next-word quiz against a language model (`next_word`).
"""
