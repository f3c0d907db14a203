"""The optional extras, imported only when needed: a missing one raises :class:`MissingExtra`."""

from __future__ import annotations

import os
import shutil

from vecs.errors import MissingExtra, SparkError


# --------------------------------------------------------------------------------------------
# Lazy imports
# --------------------------------------------------------------------------------------------
def require_torch():
    try:
        import torch
    except ImportError:
        raise MissingExtra("contextual", "torch") from None
    return torch


def require_transformers():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing is ever fetched from a hub
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    require_torch()
    try:
        import transformers
    except ImportError:
        raise MissingExtra("contextual", "transformers") from None
    transformers.logging.set_verbosity_error()
    try:
        transformers.logging.disable_progress_bar()
    except AttributeError:  # pragma: no cover - older transformers
        pass
    return transformers


def require_faiss():
    """faiss (the ``ann`` extra: ``pip install 'vecs[ann]'``), for approximate-neighbour indexes."""
    try:
        import faiss
    except ImportError:
        raise MissingExtra("ann", "faiss-cpu") from None
    return faiss


def require_pyspark():
    """pyspark (the ``spark`` extra) and a ``java`` to start its JVM (``JAVA_HOME/bin/java``, or
    ``java`` on the PATH); Spark 4 needs Java 17 or later."""
    try:
        import pyspark
    except ImportError:
        raise MissingExtra("spark", "pyspark") from None
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        where = f"JAVA_HOME={home} has no bin/java" if home else "no java on the PATH and JAVA_HOME is not set"
        raise SparkError(f"Spark needs Java 17 or later and there is none ({where}): install a JDK "
                         "(e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME")
    return pyspark
