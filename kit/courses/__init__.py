"""Courses and certificates: a learner's path through a pack's course, the certificate the
kit signs when the pass rule is met, its code, its PDF, and checking it offline.

The course itself (which lessons, the pass rule) is pack content: kit.packs.course.
"""
