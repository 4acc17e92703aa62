"""The defaults of the blob commands (encode, decode, validate) and of
``abicheck.blobs``: the record and the bundled header set they read when
told nothing.  Their own module, outside ``abicheck.blobs``, so that building
the command line (``abicheck --help``) does not import the front end."""

#: the bundled header set of the current kernel
DEFAULT_SET = "linux-6.6"
#: the record a blob is, unless --type says otherwise
DEFAULT_TYPE = "siginfo_t"
