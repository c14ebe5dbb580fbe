"""Excel annex of a deliverable: every table it shows, one sheet per table (``<livrable>.xlsx`` next to the HTML).

Contract with the restitution layer (its table helper emits it): every table shown in a notebook also emits a
display output of MIME type :data:`MIME_TABLEAU` whose data is::

    {"titre": str, "source": str, "exemple": bool,
     "colonnes": [{"nom": str, "libelle": str, "unite": str}, ...],
     "lignes": [[value, ...], ...],        # JSON numbers, strings or null, one per column
     "index": [value, ...] or null}         # row labels, when the table has some

This output is data for the annex only: the HTML page does not show it (:mod:`orleans_gov.rendu.html` drops it).
:func:`collecter_tableaux` reads the executed notebook's outputs in order; a malformed payload is skipped and
named (cell, reason) — the deliverable itself is not failed for it. :func:`ecrire_annexe` writes the workbook:

- a first sheet « Sommaire » (document, entity, date, sample banner, the list of tables with links);
- one sheet per table, named after its title (at most 31 characters, without ``[]:*?/\\``, unique): title row,
  « Source : … » row, the sample banner row when ``exemple``, the header row « libellé (unité) », the rows;
  header frozen, column widths fitted;
- French number formats by unit (format codes are stored in Excel's locale-independent syntax — ``#,##0`` is
  displayed « 1 234 » by a French Excel): ``#,##0`` for k€, € and €/hab. (and counts of inhabitants or agents),
  ``#,##0.0`` for ETP, indices, years of debt capacity and per-1 000-inhabitant rates; **percentages are given in
  percent by the contract (12.3 means 12,3 %): the cell holds value / 100 with the format ``0.0 %``**, so that
  the cell is a true Excel percentage (sums, charts) and displays « 12,3 % »; years (unit « année » or a column
  named ``an``/``annee``/``exercice``) as plain integers ``0``; text as text;
- a missing value (null, NaN) is an empty cell, never 0.

A deliverable without any table gets no annex (nothing is listed for it). The file is deterministic: fixed
document dates (the run date) and fixed zip entry times, so the same tables give the same bytes.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import math
import re
import zipfile
from pathlib import Path
from typing import Any

from orleans_gov.base.provenance import TEXTE_EXEMPLE
from orleans_gov.rendu.taches import ecrire_livrable

MIME_TABLEAU = "application/vnd.orleans-gov.tableau+json"
LONGUEUR_ONGLET = 31
CARACTERES_INTERDITS = re.compile(r"[\[\]:*?/\\]")
NOM_SOMMAIRE = "Sommaire"
FORMAT_ENTIER = "#,##0"
FORMAT_DECIMAL = "#,##0.0"
FORMAT_POURCENT = "0.0 %"
FORMAT_ANNEE = "0"
FORMAT_TEXTE = "@"
FORMATS_PAR_UNITE = {
    "k€": FORMAT_ENTIER, "€": FORMAT_ENTIER, "€/hab": FORMAT_ENTIER, "€/hab.": FORMAT_ENTIER,
    "keur": FORMAT_ENTIER,
    "k€ par etp": FORMAT_ENTIER, "€ par etp": FORMAT_ENTIER, "habitants": FORMAT_ENTIER, "hab.": FORMAT_ENTIER,
    "agents": FORMAT_ENTIER, "m€": FORMAT_DECIMAL, "etp": FORMAT_DECIMAL, "indice": FORMAT_DECIMAL,
    "années": FORMAT_DECIMAL, "ans": FORMAT_DECIMAL, "agents pour 1 000 hab": FORMAT_DECIMAL,
    "etp pour 1 000 hab": FORMAT_DECIMAL, "coefficient": "0.00", "%": FORMAT_POURCENT, "pct": FORMAT_POURCENT,
    "année": FORMAT_ANNEE, "annee": FORMAT_ANNEE, "an": FORMAT_ANNEE, "exercice": FORMAT_ANNEE,
    "texte": FORMAT_TEXTE,
}
NOMS_ANNEE = {"an", "annee", "année", "exercice"}
DATE_FIXE = dt.datetime(1980, 1, 1)  # zip entries cannot be older; used when no run date is given


@dataclasses.dataclass
class Tableau:
    """One table of a deliverable, as emitted under :data:`MIME_TABLEAU`."""

    titre: str
    source: str
    exemple: bool
    colonnes: list[dict[str, str]]
    lignes: list[list[Any]]
    index: list[Any] | None = None
    cellule: int | None = None


def _verifier(donnees: Any) -> Tableau:
    if isinstance(donnees, str):
        donnees = json.loads(donnees)
    if not isinstance(donnees, dict):
        raise ValueError("objet JSON attendu")
    colonnes = donnees.get("colonnes")
    if not isinstance(colonnes, list) or not all(isinstance(c, dict) and c.get("nom") is not None for c in colonnes):
        raise ValueError("« colonnes » doit être une liste d'objets {nom, libelle, unite}")
    lignes = donnees.get("lignes")
    if not isinstance(lignes, list) or not all(isinstance(li, list) for li in lignes):
        raise ValueError("« lignes » doit être une liste de listes")
    for i, li in enumerate(lignes):
        if len(li) != len(colonnes):
            raise ValueError(f"la ligne {i + 1} a {len(li)} valeur(s) pour {len(colonnes)} colonne(s)")
    index = donnees.get("index")
    if index is not None and (not isinstance(index, list) or len(index) != len(lignes)):
        raise ValueError("« index » doit être null ou une liste d'autant de valeurs que de lignes")
    return Tableau(titre=str(donnees.get("titre") or "").strip(), source=str(donnees.get("source") or "").strip(),
                   exemple=bool(donnees.get("exemple")), colonnes=[dict(c) for c in colonnes], lignes=lignes,
                   index=index)


def collecter_tableaux(nb) -> tuple[list[Tableau], list[str]]:
    """Tables emitted by the executed notebook, in output order, and the reasons of the payloads skipped."""
    tableaux: list[Tableau] = []
    erreurs: list[str] = []
    for i, cell in enumerate(nb.cells):
        for sortie in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            donnees = sortie.get("data", {}) if isinstance(sortie, dict) else {}
            if MIME_TABLEAU not in donnees:
                continue
            try:
                t = _verifier(donnees[MIME_TABLEAU])
            except (ValueError, TypeError) as exc:
                erreurs.append(f"cellule {i} : tableau illisible ({exc})")
                continue
            t.cellule = i
            tableaux.append(t)
    return tableaux, erreurs


def _cle_unite(unite: str | None) -> str:
    return re.sub(r"\s+", " ", str(unite or "").strip().lower().replace("\u202f", " ").replace("\u00a0", " "))


def format_colonne(colonne: dict[str, str]) -> str | None:
    """Excel number format of a column (None: General)."""
    if str(colonne.get("nom", "")).strip().lower() in NOMS_ANNEE:
        return FORMAT_ANNEE
    return FORMATS_PAR_UNITE.get(_cle_unite(colonne.get("unite")))


def entete(colonne: dict[str, str]) -> str:
    """« libellé (unité) » (the unit is not repeated when the label already ends with it)."""
    libelle = str(colonne.get("libelle") or colonne.get("nom") or "").strip()
    unite = str(colonne.get("unite") or "").strip()
    if not unite or _cle_unite(unite) == "texte" or libelle.endswith(f"({unite})"):
        return libelle
    return f"{libelle} ({unite})"


def _valeur(v: Any, fmt: str | None) -> Any:
    """The cell value: None for a missing value (empty cell), value / 100 for a percentage."""
    if v is None or isinstance(v, bool):
        return None if v is None else ("oui" if v else "non")
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, (int, float)):
        return v / 100 if fmt == FORMAT_POURCENT else v
    return str(v)


def noms_onglets(titres: list[str]) -> list[str]:
    """Sheet names: the titles without the characters Excel forbids, ≤ 31 characters, unique (case-insensitive)."""
    pris = {NOM_SOMMAIRE.lower()}
    noms = []
    for i, titre in enumerate(titres, start=1):
        base = CARACTERES_INTERDITS.sub(" ", titre).strip().strip("'")
        base = re.sub(r"\s+", " ", base) or f"Tableau {i}"
        nom = base[:LONGUEUR_ONGLET].rstrip()
        n = 1
        while nom.lower() in pris:
            n += 1
            suffixe = f" ({n})"
            nom = base[:LONGUEUR_ONGLET - len(suffixe)].rstrip() + suffixe
        pris.add(nom.lower())
        noms.append(nom)
    return noms


def _largeur(valeurs: list[Any]) -> float:
    longueur = max((len(str(v)) for v in valeurs if v is not None), default=6)
    return float(min(max(longueur + 2, 8), 60))


def _feuille_tableau(ws, t: Tableau, styles: dict[str, Any]) -> None:
    from openpyxl.utils import get_column_letter  # third-party, lazy (openpyxl is imported by ecrire_annexe)

    ws.append([t.titre or ws.title])
    ws.cell(row=1, column=1).font = styles["titre"]
    ws.append([f"Source : {t.source}" if t.source else "Source : non précisée"])
    ws.cell(row=2, column=1).font = styles["source"]
    if t.exemple:
        ws.append([TEXTE_EXEMPLE])
        ws.cell(row=ws.max_row, column=1).font = styles["exemple"]
        ws.cell(row=ws.max_row, column=1).fill = styles["fond_exemple"]
    decalage = 1 if t.index is not None else 0
    ligne_entete = ws.max_row + 1
    en_tetes = ([""] if decalage else []) + [entete(c) for c in t.colonnes]
    for j, texte in enumerate(en_tetes, start=1):
        c = ws.cell(row=ligne_entete, column=j, value=texte)
        c.font, c.fill, c.alignment = styles["entete"], styles["fond_entete"], styles["retour"]
    formats = [format_colonne(c) for c in t.colonnes]
    for i, ligne in enumerate(t.lignes):
        r = ligne_entete + 1 + i
        if decalage:
            v = _valeur(t.index[i], None)
            if v is not None:
                ws.cell(row=r, column=1, value=v).font = styles["index"]
        for j, (v, fmt) in enumerate(zip(ligne, formats), start=1 + decalage):
            valeur = _valeur(v, fmt)
            if valeur is None:
                continue  # a missing value stays an empty cell
            c = ws.cell(row=r, column=j, value=valeur)
            if isinstance(valeur, str):
                c.data_type = "s"  # never a formula, even for a text starting with « = »
            elif fmt:
                c.number_format = fmt
    ws.freeze_panes = ws.cell(row=ligne_entete + 1, column=1 + decalage)
    colonnes = [[li[k] for li in t.lignes] for k in range(len(t.colonnes))]
    colonnes = ([list(t.index or [])] if decalage else []) + colonnes
    for j, (texte, valeurs) in enumerate(zip(en_tetes, colonnes), start=1):
        largeur = max(_largeur(valeurs), min(len(texte) * 0.6 + 2, 40))
        ws.column_dimensions[get_column_letter(j)].width = largeur


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Font, PatternFill  # third-party, lazy

    return {"titre": Font(bold=True, size=12, color="10263D"), "source": Font(italic=True, color="5A5A5A"),
            "exemple": Font(bold=True, color="C0392B"), "fond_exemple": PatternFill("solid", fgColor="FDECEA"),
            "entete": Font(bold=True, color="FFFFFF"), "fond_entete": PatternFill("solid", fgColor="1F4E79"),
            "retour": Alignment(wrap_text=True, vertical="bottom"), "index": Font(bold=True),
            "lien": Font(color="1F4E79", underline="single")}


_RE_MODIFIE = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _zip_deterministe(contenu: bytes, date: dt.datetime) -> bytes:
    """The same workbook with fixed zip entry times and modification date (openpyxl stamps both with the current
    time on save)."""
    entree, sortie = zipfile.ZipFile(io.BytesIO(contenu)), io.BytesIO()
    date = max(date, DATE_FIXE)
    iso = date.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as z:
        for info in entree.infolist():
            donnees = entree.read(info.filename)
            if info.filename == "docProps/core.xml":
                donnees = _RE_MODIFIE.sub(lambda m: m.group(1) + iso + m.group(2), donnees)
            nouvelle = zipfile.ZipInfo(info.filename, date_time=date.timetuple()[:6])
            nouvelle.compress_type = zipfile.ZIP_DEFLATED
            nouvelle.external_attr = 0o600 << 16
            z.writestr(nouvelle, donnees)
    return sortie.getvalue()


def ecrire_annexe(chemin: str | Path, tableaux: list[Tableau], *, titre_document: str, entite: str | None = None,
                  date: dt.date | None = None, exemple: bool = False) -> Path:
    """Write the annex workbook of a deliverable (see the module docstring for the layout and formats)."""
    from openpyxl import Workbook  # third-party, lazy: only the workers writing an annex import it
    from openpyxl.worksheet.hyperlink import Hyperlink

    horodatage = dt.datetime.combine(date, dt.time()) if date else DATE_FIXE
    styles = _styles()
    wb = Workbook()
    wb.properties.creator = "orleans_gov"
    wb.properties.title = titre_document
    wb.properties.created = wb.properties.modified = horodatage
    sommaire = wb.active
    sommaire.title = NOM_SOMMAIRE
    sommaire.append([titre_document])
    sommaire.cell(row=1, column=1).font = styles["titre"]
    if entite:
        sommaire.append([entite])
    if date:
        sommaire.append([f"Annexe du {date.strftime('%d/%m/%Y')} : les tableaux du document, un onglet par tableau."])
    if exemple or any(t.exemple for t in tableaux):
        sommaire.append([TEXTE_EXEMPLE])
        sommaire.cell(row=sommaire.max_row, column=1).font = styles["exemple"]
        sommaire.cell(row=sommaire.max_row, column=1).fill = styles["fond_exemple"]
    sommaire.append([])
    sommaire.append(["Onglet", "Tableau", "Source"])
    for j in range(1, 4):
        c = sommaire.cell(row=sommaire.max_row, column=j)
        c.font, c.fill = styles["entete"], styles["fond_entete"]
    noms = noms_onglets([t.titre for t in tableaux])
    for t, nom in zip(tableaux, noms):
        _feuille_tableau(wb.create_sheet(nom), t, styles)
        sommaire.append([nom, t.titre, t.source])
        c = sommaire.cell(row=sommaire.max_row, column=1)
        c.hyperlink = Hyperlink(ref=c.coordinate, location=f"'{nom}'!A1", display=nom)  # link inside the workbook
        c.font = styles["lien"]
    for lettre, largeur in (("A", 34), ("B", 70), ("C", 70)):
        sommaire.column_dimensions[lettre].width = largeur
    tampon = io.BytesIO()
    wb.save(tampon)
    return ecrire_livrable(chemin, _zip_deterministe(tampon.getvalue(), horodatage))
