"""Content packs: validate a source folder, build an archive, verify and install it,
and render its lessons.

source    reads and validates pack.yaml, lessons and quizzes (used by build and import)
markup    renders lesson Markdown safely and keeps links inside the pack
archive   writes a .kitpack and checks an archive's entries before anything is unpacked
install   imports (atomically) and removes packs
lessons   what the learner pages show: pages, media URLs, public quiz questions
quiz      judges answers and applies the mastery rule
"""
