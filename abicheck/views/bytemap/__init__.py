"""A byte map: one record's layout on several ABIs, drawn to scale.

Reviewers of a header change ask "which bytes does this member occupy on
each ABI, and what moves?"; a table of offsets answers it slowly, a picture
at once.  ``groups`` turns layouts into what is drawn (targets with
identical layouts share one row; members that move between rows are
marked), ``svg`` draws it (bytes on x, one row per group), ``html`` wraps the
pictures in one self-contained page with a table of the groups.  Both
outputs are pure functions of the layouts: the same input gives the same
bytes.
"""
from abicheck.views.bytemap.groups import (  # noqa: F401 (re-exported)
    Cell, Figure, Gap, Group, Picture, figure_of_diff, figure_of_layouts, picture_of_layout,
    picture_of_shape)

__all__ = ["Cell", "Figure", "Gap", "Group", "Picture", "figure_of_diff", "figure_of_layouts",
           "picture_of_layout", "picture_of_shape"]
