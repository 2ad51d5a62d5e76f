"""The lab's answer key: the reference implementation of each exercise, for the grader, the staff's
tools (``detoxlab run``, ``train``, ``study``, ``bench``, the stand-in build) and the tests.

It is the grader's and the maintainers' package only: the student's environment (``detoxlab handout``, the
image's ``lab`` target) leaves it out, with ``solutions/``, and nothing a student can import re-exports it.
One module per part of the lab: ``data`` (exercise 1), ``models`` (2), ``reward`` (3), ``evaluation`` (4),
``ppo`` (5 and 6), ``change`` (8). Exercise 7 (PPO's quantities) and exercise 9 (the table) have none here:
their checks judge against trl's own code and by properties.
"""
