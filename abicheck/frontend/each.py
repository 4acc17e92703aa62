"""``translate`` for many independent jobs: a tree diff, a lint run, the
corpus of every header on every ABI.

Why apart from ``translate``: many jobs make cpp the cost, so they are
looked up in the input-keyed cpp cache first (as of one moment, each path
stat'ed once), the misses sharing a target and folders go through one gcc
process (``batch``), and parsing consumes the results in job order while
later ones are still being preprocessed.
"""
from __future__ import annotations

import sys
from typing import Sequence

from abicheck.errors import AbicheckError, PreprocessError, detached
from abicheck.frontend import Translation, _first_of, _translation, collector, stand_in
from abicheck.frontend.cpp_output import Preprocessed


def translate_each(jobs: Sequence[tuple], defines: Sequence[str] = ()
                   ) -> list[Translation | AbicheckError]:
    """``translate`` for independent jobs, each ``(headers, target,
    include_dirs[, roots])`` (``roots``: see ``preprocess``): a multiarch
    tree gives every target its own include directories.  A failing job
    gives its error in its place and the others go on (a tree diff must report one header that fails on one ABI, not
    stop), so, unlike ``translate_all``, nothing is raised and nothing is
    cancelled; cpp runs batch many jobs (``batch``) and overlap the parsing,
    which stays sequential and in job order."""
    from abicheck.frontend import batch

    pp = sys.modules["abicheck.frontend.preprocess"]     # the module (its name is the function's)

    def guarded(job, step):
        try:
            return step()
        except PreprocessError as e:
            return detached(_first_of(e, job[1]))
        except AbicheckError as e:
            return detached(e)
        except RecursionError:
            return AbicheckError("macros nest too deeply")

    def look(job) -> Preprocessed | AbicheckError | pp.Request:
        """A cache hit, an error, or the request cpp must run."""
        headers, t, dirs, *roots = job

        def step():
            req = pp.prepare(headers, t, dirs, defines, roots=roots[0] if roots else ())
            return pp.cached(req) or req
        return guarded(job, step)

    jobs = list(jobs)
    # the cpp cache is looked up here, in this thread, as of one moment:
    # only the misses need gcc processes
    from abicheck.cache import preprocessed as cpp_cache
    with cpp_cache.glance():
        looked = [look(j) for j in jobs]
    misses = [i for i, p in enumerate(looked) if isinstance(p, pp.Request)]
    ran_alone: set[int] = set()
    request_of = {id(jobs[i]): looked[i] for i in misses}     # the batch hands jobs back
    # a header on many targets (lint, a revision diff) runs alone on each:
    # one target's finished run may stand in for another's (``stand_in``)
    kin = stand_in.Kin.among(looked[i] for i in misses)

    def alone(job) -> Preprocessed | AbicheckError:
        def step():
            pre = kin.run(request_of[id(job)])
            ran_alone.add(id(pre))          # kept in the cache by run() itself
            return pre
        return guarded(job, step)

    def results():
        if len(misses) <= 1:
            done = iter([alone(jobs[i]) for i in misses])
        else:       # jobs sharing a target and directories share gcc processes
            done = batch.preprocess_each([jobs[i] for i in misses], defines, alone)
        since = cpp_cache.started()
        try:
            for i, p in enumerate(looked):
                if not isinstance(p, pp.Request):
                    yield p
                    continue
                got = next(done)
                if isinstance(got, Preprocessed) and id(got) not in ran_alone:
                    # the batch checked confinement with the roots ``prepare``
                    # gives this job (its directories, the bundled ones, the
                    # headers' own folders, the job's roots): the same check
                    cpp_cache.store(p.key, got, since, pp.confined_as(p))
                yield got
        finally:
            # the batch's worker threads end now, not when the last
            # reference to its generator goes (see below)
            getattr(done, "close", lambda: None)()

    pres = results()
    out: list[Translation | AbicheckError] = []
    # what each translation leaves alive (its unit, the parse memo's
    # nodes) lives past this call: frozen as it comes, so a collection
    # scans what the current one makes (608 x86_64 uapi headers: 0.33 ->
    # 0.06 s of collector time); and the threshold stays raised between
    # the parses, or each parse's end set off a collection of all it made
    with collector.growing() as growth, collector.fewer_collections():
        try:
            _translate_in_order(jobs, pres, defines, out, growth)
        finally:
            # the batch's idle threads end now (``pres`` holds them); errors
            # are handed back ``detached``: a traceback would hold this frame
            pres.close()
    return out


def _translate_in_order(jobs, pres, defines, out, growth) -> None:
    """Each job's translation (or error) appended to ``out``, in job order."""
    for (headers, t, dirs, *roots), p in zip(jobs, pres):
        if isinstance(p, AbicheckError):
            out.append(p)
            continue
        try:
            out.append(_translation(t, p, (tuple(headers), tuple(dirs), tuple(defines), False,
                                           None, tuple(roots[0]) if roots else ())))
        except AbicheckError as e:
            out.append(detached(e))
        except RecursionError:
            out.append(AbicheckError("declarations nest too deeply"))
        growth.step()
