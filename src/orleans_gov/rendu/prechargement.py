"""Imported by the warm kernels' fork server only (``set_forkserver_preload``): importing it preloads the stack.

A fork server can only be told module names to import, hence this module whose import is the preloading; the
list of modules and the kernel launch live in :mod:`orleans_gov.rendu.noyau_chaud`. Nothing else imports it.
"""
from __future__ import annotations

from orleans_gov.rendu.noyau_chaud import precharger

precharger()
