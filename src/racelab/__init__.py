"""racelab: a hands-on lab for race conditions in Python web apps."""
