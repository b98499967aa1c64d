"""The test suite, mirroring the product's packages; ROOT is the repository's root."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
