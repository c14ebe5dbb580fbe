"""The sample banner and the source lines of the deliverables.

Tables and figures carry their source (and data vintage) underneath, and the banner
« Données d'exemple — ne pas diffuser » (:data:`orleans_gov.base.provenance.TEXTE_EXEMPLE`, the one definition)
whenever sample data (``provenance == "exemple"``) is shown.
"""
from __future__ import annotations

import html as _html
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from orleans_gov.base.provenance import EXEMPLE, TEXTE_EXEMPLE
from orleans_gov.restitution import fragments
from orleans_gov.restitution.fragments import Html

CLASSE_BANDEAU = "og-bandeau-exemple"  # the renderer (rendu.py) detects sample pages by this class
COULEUR_EXEMPLE = "#c0392b"


def est_exemple(objet: Any) -> bool:
    """True when ``objet`` shows sample data.

    ``objet`` may be a bool, a DataFrame (its ``provenance`` column is checked: any value containing
    "exemple"), a Series of provenances, a provenance string, or an iterable of those (true if any is).
    A DataFrame without a ``provenance`` column cannot be judged: a warning is issued and False returned.
    """
    if objet is None:
        return False
    if isinstance(objet, (bool, np.bool_)):
        return bool(objet)
    if isinstance(objet, str):
        return EXEMPLE in objet.lower()
    if isinstance(objet, pd.DataFrame):
        if "provenance" not in objet.columns:
            warnings.warn("table sans colonne « provenance » : impossible de savoir si elle contient des "
                          "données d'exemple (passer exemple=True/False explicitement)", stacklevel=3)
            return False
        return est_exemple(objet["provenance"])
    if isinstance(objet, pd.Series):
        valeurs = objet.dropna().astype(str).str.lower()
        return bool(valeurs.str.contains(EXEMPLE, regex=False).any())
    if isinstance(objet, Iterable):
        return any(est_exemple(o) for o in objet)
    raise TypeError(f"impossible de dire si {type(objet).__name__} contient des données d'exemple")


def html_bandeau_exemple() -> str:
    """HTML of the sample banner (inline styles so it is visible in JupyterLab and in the reports)."""
    return (f'<div class="{CLASSE_BANDEAU}" role="note" style="border:3px solid {COULEUR_EXEMPLE};'
            f'background:#fdecea;color:{COULEUR_EXEMPLE};font-weight:bold;padding:0.2em 0.8em;margin:0.4em 0;'
            f'text-align:center;font-size:0.92em;letter-spacing:0.02em">'
            f'⚠ {_html.escape(TEXTE_EXEMPLE)}</div>')


def texte_source(texte: str) -> str:
    """« Source : … » unless the text already starts with Source/Note/Lecture/Champ."""
    texte = str(texte).strip()
    return texte if texte.lower().startswith(("source", "note", "lecture", "champ")) else f"Source : {texte}"


def html_note_source(texte: str) -> str:
    """HTML of a source line (« Source : … »)."""
    return (f'<p class="og-source" style="font-size:0.85em;color:#555;margin:0.2em 0 1em 0;font-style:italic">'
            f"{_html.escape(texte_source(texte))}</p>")


def bandeau_exemple(df_or_bool: Any, afficher: bool = True) -> Html | None:
    """Show the banner « Données d'exemple — ne pas diffuser » when ``df_or_bool`` holds sample data.

    With ``afficher=True`` (default) the banner is displayed at once in the notebook (wherever the call is in
    the cell) and ``None`` is returned; with ``afficher=False`` the :class:`Html` object is returned (or ``None``
    when there is no sample data). See :func:`est_exemple` for what ``df_or_bool`` may be.
    """
    if not est_exemple(df_or_bool):
        return None
    objet = Html(html_bandeau_exemple(), f"*** {TEXTE_EXEMPLE} ***")
    if afficher:
        fragments.afficher(objet)
        return None
    return objet


def note_source(texte: str, afficher: bool = True) -> Html | None:
    """Source (and data vintage) line, e.g. ``note_source("DGFiP, comptes individuels des communes 2023")``.

    « Source : » is prefixed unless the text already starts with Source/Note/Lecture/Champ. Displayed at once
    (returns ``None``) unless ``afficher=False`` (returns the :class:`Html` object).
    """
    objet = Html(html_note_source(texte), texte_source(texte))
    if afficher:
        fragments.afficher(objet)
        return None
    return objet


def texte_donnees_reelles(reelles: list[tuple[str, int | None, int | None]]) -> str:
    """« Sont réelles : comptes DGFiP d'Orléans 2013–2014 ; … Tous les autres chiffres sont des données d'exemple. »
    from :func:`~orleans_gov.restitution.chargement.donnees_reelles` (years written as a period when they differ)."""
    def periode(d, f):
        return "" if d is None else (f" {d}" if d == f else f" {d}–{f}")
    liste_ = " ; ".join(f"{q}{periode(d, f)}" for q, d, f in reelles)
    return ("**Ce qui est réel.** " + liste_[:1].upper() + liste_[1:]
            + ". Tous les autres chiffres sont des données d'exemple (synthétiques), signalées comme telles.")
