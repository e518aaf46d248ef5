"""The kernel notebooks run in: this interpreter, over local IPC sockets in the run's own folder.

A `python3` kernelspec found on the machine (in the user's Jupyter folder, say) may point at another
Python without billkit; ipykernel's own spec always describes `sys.executable`, so that is the one used.
IPC sockets instead of TCP keep the kernel off the network entirely (and quiet: ipykernel warns about
unencrypted TCP), and placing them in the run's folder keeps concurrent runs apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["kernel_manager_class"]


def kernel_manager_class(work_dir: Path) -> type[Any]:
    """A kernel manager class (nbclient instantiates it) bound to this interpreter and `work_dir`."""
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    class ThisInterpreterSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())

    class ThisInterpreterKernel(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(
                kernel_spec_manager=ThisInterpreterSpecs(),
                transport="ipc",
                ip=str(work_dir / "kernel"),
                **kwargs,
            )

    return ThisInterpreterKernel
