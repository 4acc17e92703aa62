"""Names that carry ABI meaning by convention, shared by every check that
reads them (the spec checker, lint, diff): a member called ``__reserved`` is
room to grow that users must zero; a type called ``__u32`` promises its width
on every ABI.  One definition each, so a spec, a lint rule and a diff never
disagree about what counts."""
from __future__ import annotations

import re

#: Member names that say "these bytes are not used yet".
RESERVED = re.compile(r"(^|_)(reserved|resv|pad|unused|rsvd|spare)", re.IGNORECASE)

#: Fixed-width integer spellings: the kernel's (``__u32``, ``__le32``,
#: ``__aligned_u64``, ``__kernel_u64_t``...) and C99's (``uint32_t``).
FIXED_WIDTH = re.compile(r"^(__[us](8|16|32|64|128)|u?int(8|16|32|64)_t|__u?int(8|16|32|64|128)_t|"
                         r"__kernel_u?(8|16|32|64)_t|__(le|be)(16|32|64)|__aligned_[us]64)$")
