"""Live classes: the teacher leads from a phone, every tablet of the class follows.

`classes` is the teacher's side (start on a lesson, move, modes, questions to the room,
end into a class session); `room` is the tablets' and the projector's side (presence,
hands, answers, the state they poll). Everything several worker processes must agree on
is a row in SQLite (live_class, live_member, and live_answer derived from events), never
a process's memory: a tablet may reach any worker on each poll. docs/architecture.md says
why tablets poll (short requests answered 304 while nothing changed) rather than hold a
connection open.
"""
