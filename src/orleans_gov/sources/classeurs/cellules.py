"""Reading the cells of a returned workbook: :class:`Lecteur` records every problem (file, sheet, cell, value) instead
of stopping at the first, refuses merged cells and formulas without a computed value; :func:`lignes` walks a table
and refuses an empty row followed by filled ones (the rows below would otherwise be dropped)."""
from __future__ import annotations

import math
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Iterable

from openpyxl.cell.cell import MergedCell

from orleans_gov.base.erreurs import ErreurDonnees

LIGNES_MAX = 1000
COLONNES_TABLEAU = 8   # columns A–H: every table of the template is narrower


_CELLULE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_FORMULE = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALEUR = re.compile(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>")
_FEUILLE = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_LIEN = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"|'
                   rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')


def formules_sans_valeur(chemin: str | Path) -> dict[str, dict[str, str]]:
    """Sheet title → cell → formula, for the formula cells of a .xlsx that carry no computed value (``<f>`` without
    ``<v>``): what openpyxl's ``data_only`` reading returns as empty. Read from the file's XML in one pass (loading
    the workbook a second time with its formulas would double the import time)."""
    out: dict[str, dict[str, str]] = {}
    with zipfile.ZipFile(chemin) as z:
        noms = set(z.namelist())
        if "xl/workbook.xml" not in noms or "xl/_rels/workbook.xml.rels" not in noms:
            return out
        liens = {}
        for m in _LIEN.finditer(z.read("xl/_rels/workbook.xml.rels")):
            ident, cible = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            cible = cible.decode()
            liens[ident] = cible.lstrip("/") if cible.startswith("/") else posixpath.normpath(f"xl/{cible}")
        for m in _FEUILLE.finditer(z.read("xl/workbook.xml")):
            titre, xml = m.group(1).decode(), liens.get(m.group(2))
            if xml not in noms:
                continue
            for c in _CELLULE.finditer(z.read(xml)):
                corps = c.group(2) or b""
                f = _FORMULE.search(corps)
                if f and not _VALEUR.search(corps):
                    texte = (f.group(1) or b"").decode(errors="replace")
                    out.setdefault(_xml_texte(titre), {})[c.group(1).decode()] = "=" + _xml_texte(texte)
    return out


def _xml_texte(t: str) -> str:
    return t.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


class Lecteur:
    """Cell reader that records problems instead of stopping at the first one."""

    def __init__(self, lu, formules: dict[str, dict[str, str]] | None = None) -> None:
        self.lu = lu
        self.formules = formules or {}   # sheet → cell → formula without a computed value (formules_sans_valeur)

    def valeur(self, ws, cellule: str):
        """The value of a cell, or None — recording an error when the cell is part of a merged range (its value
        would be read as empty) or holds a formula without a computed value (a workbook written by a program and
        never opened in a spreadsheet: openpyxl cannot compute it)."""
        c = ws[cellule]
        if isinstance(c, MergedCell):
            plage = next((str(m) for m in ws.merged_cells.ranges if cellule in m), cellule)
            self.erreur(f"cellule fusionnée ({plage}) : sa valeur ne peut pas être lue ; annuler la fusion et "
                        "saisir la valeur dans chaque cellule", ws.title, cellule)
            return None
        v = c.value
        if v is None and self.formules:
            f = self.formules.get(ws.title, {}).get(cellule)
            if f:
                self.erreur(f"formule sans valeur calculée ({f[:60]}) : ouvrir le classeur dans un tableur, "
                            "l'enregistrer (les formules sont alors calculées) ou saisir la valeur", ws.title, cellule)
        return v

    def erreur(self, message: str, feuille: str | None = None, cellule: str | None = None, valeur=None) -> None:
        self.lu.erreurs.append(ErreurDonnees(message, fichier=self.lu.fichier.name, feuille=feuille,
                                             cellule=cellule, valeur=valeur))

    def nombre(self, ws, cellule: str, *, libelle: str, positif: bool = True, entier: bool = False,
               obligatoire: bool = False) -> float:
        n = len(self.lu.erreurs)
        v = self.valeur(ws, cellule)
        if v is None and len(self.lu.erreurs) > n:
            return math.nan
        if _vide(v):
            if obligatoire:
                self.erreur(f"{libelle} : cellule obligatoire non renseignée", ws.title, cellule)
            return math.nan
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.erreur(f"{libelle} : un nombre est attendu, la cellule contient du texte ou une date "
                        "(saisir le nombre seul, sans unité ; commentaire dans la colonne Observations)",
                        ws.title, cellule, v)
            return math.nan
        x = float(v)
        if not math.isfinite(x):
            self.erreur(f"{libelle} : nombre invalide", ws.title, cellule, v)
            return math.nan
        if positif and x < 0:
            self.erreur(f"{libelle} : la valeur ne peut pas être négative", ws.title, cellule, v)
            return math.nan
        if entier and not x.is_integer():
            self.erreur(f"{libelle} : un nombre entier d'agents est attendu (les ETP vont dans la colonne ETP)",
                        ws.title, cellule, v)
            return math.nan
        return x

    def deja_vue(self, vues: dict, cle, ws, r: int, valeur, quoi: str = "ligne") -> bool:
        """Record row ``r`` under ``cle``; a second row with the same key is an error (returns True)."""
        if cle in vues:
            self.erreur(f"{quoi} en double (déjà en ligne {vues[cle]})", ws.title, f"A{r}", valeur)
            return True
        vues[cle] = r
        return False

    def texte(self, ws, cellule: str) -> str:
        v = self.valeur(ws, cellule)
        return "" if v is None else str(v).strip()

    def annee(self, ws, cellule: str, libelle: str) -> int | None:
        n = len(self.lu.erreurs)
        v = self.valeur(ws, cellule)
        if v is None and len(self.lu.erreurs) > n:
            return None
        if isinstance(v, str) and v.strip().isdigit():
            v = int(v.strip())
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int) or not 2000 <= v <= 2100:
            self.erreur(f"{libelle} : année sur 4 chiffres attendue", ws.title, cellule, v)
            return None
        return v


def _vide(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def lignes(ws, premiere: int, L: Lecteur) -> Iterable[int]:
    """The rows of a table, from ``premiere`` to the first row whose column A is empty.

    A table ends at its first empty row only if nothing is written below it: an empty row (or an empty column A)
    followed by filled rows is an error naming both rows — the rows below would otherwise be dropped in silence.
    """
    r = premiere
    while r < premiere + LIGNES_MAX:
        a = ws[f"A{r}"]
        if isinstance(a, MergedCell) or _vide(a.value):
            break
        yield r
        r += 1
    else:
        L.erreur(f"plus de {LIGNES_MAX} lignes : tableau trop long", ws.title, f"A{r}")
        return
    for k, valeurs in enumerate(ws.iter_rows(min_row=r, max_row=max(ws.max_row, r), max_col=COLONNES_TABLEAU,
                                             values_only=True), start=r):
        if any(not _vide(v) for v in valeurs):
            quoi = "colonne A vide dans une ligne remplie" if k == r else \
                f"ligne {r} vide au milieu du tableau : la ligne {k} et les suivantes seraient ignorées"
            L.erreur(f"{quoi} ; supprimer la ligne vide ou la compléter (ne pas insérer ni vider de ligne)",
                     ws.title, f"A{r}")
            return
