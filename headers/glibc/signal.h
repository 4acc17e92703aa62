/* abicheck bundled header set "glibc": glibc's own view of siginfo_t
 * (its member names, its explicit padding, its enum-valued si_codes).
 * Written for abicheck from shared/facts/siginfo-abi.md; only what the
 * siginfo layout needs, none of glibc's functions or feature macros. */
#ifndef _ABICHECK_GLIBC_SIGNAL_H
#define _ABICHECK_GLIBC_SIGNAL_H

#include <bits/types.h>
#include <bits/siginfo-arch.h>
#include <bits/siginfo_t.h>
#include <bits/siginfo-consts.h>

#endif
