"""Demo data: courses a council for voluntary service runs, trainers, staff, sessions."""


def load_demo(echo=print) -> None:
    """Load the demo data; running it again changes nothing."""
