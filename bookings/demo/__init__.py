"""Demo data: courses a council for voluntary service runs, trainers, staff, sessions.

Everything is keyed on something natural (email, course slug, news title), so a
second run finds what the first made and adds nothing. A course's dates are made
with the course, relative to the day the demo is first loaded. The caller commits.
"""

from .loader import load_demo

__all__ = ["load_demo"]
