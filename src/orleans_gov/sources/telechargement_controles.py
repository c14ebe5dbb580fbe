"""Validation of the files of ``orleans-gov telecharger`` before anything is installed (issue 15).

A downloaded file is installed only if it is readable by the project's readers
(:func:`~orleans_gov.sources.dgfip.read_comptes_communes`, :func:`~orleans_gov.sources.dgfip.read_comptes_gfp`,
the OFGL and GeoJSON checks here) AND complete for the perimeter: every year asked for is there and every
year received holds all 22 communes (or the agglomeration). A body cut at a line break by a dropped
connection, with no ``Content-Length`` to betray it, parses fine: only this completeness check refuses it.
The cases and their tests: docs/fiabilite/telechargement_extraction.md.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Mapping, Sequence

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.provenance import REEL
from orleans_gov.base.territoire import CODES_INSEE, COMMUNES, SIREN_AGGLO
from orleans_gov.sources.dgfip import read_comptes_communes, read_comptes_gfp

CHAMPS_OFGL_COMMUNES = ("exer", "com_code", "agregat", "montant")
CHAMPS_OFGL_GFP = ("exer", "siren", "agregat", "montant")
_RE_TITRE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)


def page_html(chemin: Path, type_contenu: str = "") -> str | None:
    """The title (or ``""``) of an HTML page received instead of the data — a portal's maintenance or error
    page answered with status 200 — else None. Recognised by the Content-Type or by the first bytes."""
    with open(chemin, "rb") as f:
        debut = f.read(4096)
    tete = debut.lstrip().lower()
    if "html" not in type_contenu.lower() and not tete.startswith((b"<!doctype html", b"<html")):
        return None
    m = _RE_TITRE.search(debut)
    return m.group(1).decode("utf-8", errors="replace").strip() if m else ""


def _nom(code: str) -> str:
    return f"{code} {COMMUNES[code][1]}" if code in COMMUNES else code


def verifier_completude(chemin: Path, presents: Mapping[int, set[str]], attendus: Sequence[str],
                        annees: Sequence[int], quoi: str = "commune") -> list[int]:
    """:class:`ErreurDonnees` when a year received lacks one of ``attendus`` (codes INSEE, or the SIREN) — the
    sign of a truncated answer that no Content-Length betrays — or when none of the years asked for is there.

    ``presents``: year -> codes found that year. The message names the file, the bytes received, the year and
    the codes (with the commune names) absent. Returns the years asked for and absent (a year not yet
    published is not an error: the caller reports it).
    """
    taille = chemin.stat().st_size
    if not presents:
        raise ErreurDonnees("l'export ne contient aucune ligne de données (filtre trop restrictif ?)", fichier=chemin)
    manquantes = sorted(set(annees) - set(presents))
    if annees and len(manquantes) == len(set(annees)):
        raise ErreurDonnees(f"aucune des années demandées ({', '.join(map(str, manquantes))}) dans l'export "
                            f"(années reçues : {', '.join(map(str, sorted(presents)))})", fichier=chemin)
    for an in sorted(presents):
        absents = [c for c in attendus if c not in presents[an]]
        if absents:
            raise ErreurDonnees(
                f"export incomplet ({taille} octets reçus ; réponse tronquée ?) : {len(absents)} {quoi}(s) "
                f"absente(s) sur {len(attendus)} pour {an} : {', '.join(_nom(c) for c in absents)}", fichier=chemin)
    return manquantes


def _lire_csv_ofgl(chemin: Path, requis: Sequence[str], code: str) -> tuple[int, dict[int, set[str]]]:
    """Rows of an OFGL export and the codes (``code`` column) per year; refuses a missing column, a row
    without year and a duplicated (``exer``, code, ``agregat``[, ``type_de_budget``]) row (it would be
    summed twice)."""
    with open(chemin, encoding="utf-8", errors="replace", newline="") as f:
        lecteur = csv.reader(f, delimiter=";")
        entete = [c.strip() for c in next(lecteur, [])]
        manquants = [c for c in requis if c not in entete]
        if manquants:
            raise ErreurDonnees("colonne attendue absente de l'export OFGL", fichier=chemin, ligne=1,
                                colonne=manquants[0])
        cle = [entete.index(c) for c in ("exer", code, "agregat", "type_de_budget") if c in entete]
        i_exer, i_code = entete.index("exer"), entete.index(code)
        vues: dict[tuple[str, ...], int] = {}
        par_an: dict[int, set[str]] = {}
        n = 0
        for num, ligne in enumerate(lecteur, start=2):
            if not any(v.strip() for v in ligne):
                continue
            if len(ligne) != len(entete):
                raise ErreurDonnees(f"{len(ligne)} champs au lieu des {len(entete)} de l'en-tête (ligne tronquée ?)",
                                    fichier=chemin, ligne=num)
            k = tuple(ligne[i] for i in cle)
            if k in vues:
                raise ErreurDonnees(f"ligne en double (mêmes {', '.join(entete[i] for i in cle)} que la ligne "
                                    f"{vues[k]})", fichier=chemin, ligne=num, valeur=" / ".join(k))
            vues[k] = num
            exer = ligne[i_exer].strip()[:4]
            if not exer.isdigit():
                raise ErreurDonnees("exercice illisible", fichier=chemin, ligne=num, colonne="exer",
                                    valeur=ligne[i_exer])
            par_an.setdefault(int(exer), set()).add(ligne[i_code].strip())
            n += 1
    return n, par_an


def _valider_geojson(chemin: Path) -> int:
    """A FeatureCollection of the 22 communes, each with ``code``, ``nom``, ``population`` and a geometry."""
    try:
        doc = json.loads(chemin.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ErreurDonnees(f"GeoJSON illisible (réponse tronquée ?) : {exc}", fichier=chemin) from None
    entites = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(entites, list) \
            or not entites:
        recu = type(doc).__name__ if not isinstance(doc, dict) else f"type {doc.get('type')!r}"
        raise ErreurDonnees(f"GeoJSON attendu : FeatureCollection non vide des communes (reçu : {recu}"
                            + (f", {len(entites)} entité(s)" if isinstance(entites, list) else "") + ")",
                            fichier=chemin)
    codes: dict[str, int] = {}
    for i, e in enumerate(entites, start=1):
        props = e.get("properties") if isinstance(e, dict) else None
        if not isinstance(props, dict):
            raise ErreurDonnees(f"GeoJSON attendu : FeatureCollection d'entités (entité n° {i} : {e!r:.40})",
                                fichier=chemin)
        for c in ("code", "nom", "population"):
            if c not in props:
                raise ErreurDonnees(f"propriété absente de l'entité n° {i}", fichier=chemin, colonne=c)
        geo = e.get("geometry")
        if not isinstance(geo, dict) or not geo.get("coordinates"):
            raise ErreurDonnees(f"géométrie absente de l'entité n° {i}", fichier=chemin, valeur=props["code"])
        if props["code"] in codes:
            raise ErreurDonnees(f"commune en double (entités n° {codes[props['code']]} et {i})", fichier=chemin,
                                colonne="code", valeur=props["code"])
        codes[props["code"]] = i
    hors = sorted(set(codes) - set(CODES_INSEE))
    if hors:
        raise ErreurDonnees("commune hors périmètre dans la réponse", fichier=chemin, colonne="code", valeur=hors[0])
    verifier_completude(chemin, {0: set(codes)}, CODES_INSEE, ())
    return len(entites)


def controler(chemin: Path, nature: str, annees: Sequence[int] = ()) -> tuple[int, dict]:
    """Check a staged file with the project's readers and for completeness (every commune of the perimeter
    every year received, every year asked for); raise :class:`ErreurDonnees` when it is unusable.

    ``nature``: ``comptes_communes``, ``comptes_gfp``, ``ofgl_communes``, ``ofgl_gfp`` or ``geojson``.
    Returns (rows or features, extra provenance fields: ``annees`` received, ``annees_absentes`` asked for and
    not received — not yet published, say).
    """
    extra: dict = {}
    if nature == "comptes_communes":
        df = read_comptes_communes(chemin, provenance=REEL)
        hors = sorted(set(df["code_insee"]) - set(CODES_INSEE))
        if hors:
            raise ErreurDonnees("commune hors périmètre renvoyée par le filtre", fichier=chemin,
                                colonne="icom", valeur=hors[0])
        par_an = {int(a): set(g) for a, g in df.groupby("an")["code_insee"]}
        absentes = verifier_completude(chemin, par_an, CODES_INSEE, annees)
        lignes = len(df)
        extra = {"communes": int(df["code_insee"].nunique()), "annees": sorted(par_an)}
    elif nature == "comptes_gfp":
        df = read_comptes_gfp(chemin, provenance=REEL, siren_defaut=SIREN_AGGLO)
        absentes = verifier_completude(chemin, {int(a): set(g) for a, g in df.groupby("an")["siren"]},
                                       (SIREN_AGGLO,), annees, "groupement")
        lignes = len(df)
        extra = {"annees": sorted(int(a) for a in df["an"].unique())}
    elif nature in ("ofgl_communes", "ofgl_gfp"):
        communes = nature == "ofgl_communes"
        lignes, par_an = _lire_csv_ofgl(chemin, CHAMPS_OFGL_COMMUNES if communes else CHAMPS_OFGL_GFP,
                                          "com_code" if communes else "siren")
        attendus = CODES_INSEE if communes else (SIREN_AGGLO,)
        hors = sorted(set().union(*par_an.values()) - set(attendus))
        if hors:
            raise ErreurDonnees("entité hors périmètre renvoyée par le filtre", fichier=chemin,
                                colonne="com_code" if communes else "siren", valeur=hors[0])
        absentes = verifier_completude(chemin, par_an, attendus, annees, "commune" if communes else "groupement")
    elif nature == "geojson":
        lignes, absentes = _valider_geojson(chemin), []
    else:  # pragma: no cover - programming error
        raise ValueError(nature)
    if absentes:
        extra["annees_absentes"] = absentes
    return lignes, extra
