"""The simulated protection-key fault path: a model of what the Linux kernel
does when a process touches memory whose protection or protection key denies
it, and the siginfo bytes it delivers (see README, "Fault simulator").

``simulate(scenario, target=..., headers=..., kernel=...)`` runs a scenario
(``scenario.load``) and returns one ``OpResult`` per op.
"""
from abicheck.fault.scenario import ScenarioError, load
from abicheck.fault.simulate import KERNELS, OpResult, simulate

__all__ = ["KERNELS", "OpResult", "ScenarioError", "load", "simulate"]
