"""The DGFiP communes' columns, ratio definitions and ratio check, without pandas.

Definitions shared by :mod:`orleans_gov.sources.dgfip` (pandas readers, which re-export every name here) and
``orleans-gov extraire comptes`` (:mod:`orleans_gov.sources.nationaux.comptes`), which writes its outputs with
pyarrow alone: ``import pandas`` (≈ 0.45 s CPU) is off its critical path (bench/RESULTS_extraction.md). Formats:
docs/FORMATS.md §1 (copied from the client's reference). Amounts in k€, ``fX`` in €/hab (on ``pop1``), ``rX``
structure ratios in %.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from orleans_gov.base.erreurs import ErreurDonnees


ENTETE_COMMUNES_2013 = (
    "an;dep;icom;inom;reg;pop1;nomsst2;prod;fprod;mprod;impo1;fimpo1;mimpo1;rimpo1;rmimpo1;impo2;fimpo2;mimpo2;"
    "rimpo2;rmimpo2;dgf;fdgf;mdgf;rdgf;rmdgf;charge;fcharge;mcharge;perso;fperso;mperso;rperso;rmperso;achat;"
    "fachat;machat;rachat;rmachat;fin;ffin;mfin;rfin;rmfin;cont;fcont;mcont;rcont;rmcont;subv;fsubv;msubv;rsubv;"
    "rmsubv;res1;fres1;mres1;pth;fpth;mpth;tth;tmth;pfb;fpfb;mpfb;tfb;tmfb;pfnb;fpfnb;mpfnb;tfnb;tmfnb;ttp;tmtp;"
    "recinv;frecinv;mrecinv;emp;femp;memp;remp;rmemp;subr;fsubr;msubr;rsubr;rmsubr;fctva;ffctva;mfctva;rfctva;"
    "rmfctva;raff;fraff;mraff;rraff;rmraff;depinv;fdepinv;mdepinv;equip;fequip;mequip;requip;rmequip;remb;fremb;"
    "mremb;rremb;rmremb;repart;frepart;mrepart;rrepart;rmrepart;daff;fdaff;mdaff;rdaff;rmdaff;bf1;fbf1;mbf1;solde;"
    "fsolde;msolde;bf2;fbf2;mbf2;res2;fres2;mres2;ebf;febf;mebf;rebf;rmebf;caf;fcaf;mcaf;rcaf;rmcaf;cafn;fcafn;"
    "mcafn;rcafn;rmcafn;dette;fdette;mdette;rdette;rmdette;annu;fannu;mannu;rannu;rmannu;fdr;ffdr;mfdr;bth;fbth;"
    "mbth;bthexod;fbthexod;mbthexod;bfb;fbfb;mbfb;bfbexod;fbfbexod;mbfbexod;bfnb;fbfnb;mbfnb;bfnbexod;fbfnbexod;"
    "mbfnbexod;btafnb;fbtafnb;mbtafnb;btp;fbtp;mbtp;btpexod;fbtpexod;mbtpexod;ptafnb;fptafnb;mptafnb;tafnb;"
    "mtmtafnb;pcfe;fpcfe;mpcfe;cvaec;fcvaec;mcvaec;iferc;fiferc;miferc;tascomc;ftascomc;mtascomc;nomsst1"
).split(";")
"""2013–2015 header (204 named fields; the published files end with an empty 205th field)."""

_AJOUT_2017 = ("encdbr;fencdbr;rencdbr;mencdbr;rmencdbr;pfcaf;fpfcaf;mpfcaf;cfcaf;fcfcaf;mcfcaf;det2cal;fdet2cal;"
               "rdet2cal;mdet2cal;rmdet2cal").split(";")
_AJOUT_2017_BIS = "dfctva;fdfctva;rdfctva;mdfctva;rmdfctva;dpserdom;fpserdom;rpserdom;mpserdom;rmpserdom".split(";")
ENTETE_COMMUNES_2017 = [c for c in ENTETE_COMMUNES_2013 if c != "rimpo2"] + _AJOUT_2017
"""2017+ header (219 fields): the 2013 header without ``rimpo2``, plus the CAF-oriented fields."""
ENTETE_COMMUNES_2017_BIS = ENTETE_COMMUNES_2017 + _AJOUT_2017_BIS
_AJOUT_2023 = ["fiscrev", "ffiscrev", "mfiscrev", "autdot", "fautdot", "mautdot"]

COLONNES_TEXTE_COMMUNES = ("an", "dep", "icom", "inom", "reg", "nomsst1", "nomsst2")
COLONNES_CONNUES_COMMUNES = tuple(dict.fromkeys(ENTETE_COMMUNES_2013 + ENTETE_COMMUNES_2017_BIS + _AJOUT_2023))
REQUISES_COMMUNES = ("an", "dep", "icom")

DENOMINATEURS_RATIOS: dict[str, str] = {
    "impo1": "prod", "impo2": "prod", "dgf": "prod",
    "perso": "charge", "achat": "charge", "fin": "charge", "cont": "charge", "subv": "charge",
    "emp": "recinv", "subr": "recinv", "fctva": "recinv", "raff": "recinv",
    "equip": "depinv", "remb": "depinv", "repart": "depinv", "daff": "depinv",
    "ebf": "prod", "caf": "prod", "cafn": "prod", "dette": "prod", "annu": "prod",
}
"""Denominator of each DGFiP structure ratio ``rX`` = X / denominator × 100 (FORMATS.md, checked on real rows;
``raff``, ``repart`` and ``daff`` follow their section's total as printed in the DGFiP sheets)."""

TOLERANCE_PAR_HABITANT = 1.0   # €/hab: the file rounds per-inhabitant values to the euro
TOLERANCE_RATIO = 0.05         # point of %: the file rounds ratios to two decimals


class AvertissementColonnes(UserWarning):
    """Unknown columns were found and kept (new vintages add fields)."""


def signaler_inconnues(colonnes: list[str], fichier: str | Path) -> None:
    """Report unknown columns once (they are kept, not refused)."""
    if colonnes:
        warnings.warn(
            f"fichier « {fichier} » : {len(colonnes)} colonne(s) inconnue(s) conservée(s) telles quelles : "
            + ", ".join(colonnes[:20]) + (" …" if len(colonnes) > 20 else ""),
            AvertissementColonnes, stacklevel=3)


def ratios_recalcules(colonnes: Sequence[str], valeurs: Callable[[str], np.ndarray],
                      pop: np.ndarray | None) -> dict[str, np.ndarray]:
    """The DGFiP per-inhabitant values and structure ratios recomputed from the amounts, column by column.

    - ``fX = X × 1000 / pop1`` (X in k€, result in €/hab; DGFiP definition of the « en euros par habitant »
      columns of the comptes individuels, population légale ``pop1``); missing when ``pop1`` is 0 or missing;
      none at all when ``pop`` is None (a file without ``pop1``).
    - ``rX = X / D × 100`` (%) with the DGFiP's denominator D of each ratio (:data:`DENOMINATEURS_RATIOS`:
      impôts and DGF over total produits de fonctionnement, charges over total charges, investment
      resources over ``recinv``, uses over ``depinv``, CAF/EBF/dette/annuité over ``prod``).

    ``colonnes``: the columns of the table, in order; ``valeurs(c)``: column ``c`` as float64 (NaN = missing);
    ``pop``: ``pop1`` as float64. Returns name -> unrounded values, ``f*`` first then ``r*`` (the order in which
    :func:`verifier_ratios_colonnes` looks for the first contradiction).
    """
    out: dict[str, np.ndarray] = {}
    presentes = set(colonnes)
    if pop is not None:
        pop = np.where(pop > 0, pop, np.nan)
        # In the communes' header every amount X with an ``fX`` twin qualifies (dette, fdr, bases, products …).
        for x in colonnes:
            if f"f{x}" in COLONNES_CONNUES_COMMUNES and x in COLONNES_CONNUES_COMMUNES and x not in ("an", "dep", "icom"):
                out[f"f{x}"] = valeurs(x) * 1000.0 / pop
    for x, d in DENOMINATEURS_RATIOS.items():
        if x in presentes and d in presentes:
            den = valeurs(d)
            out[f"r{x}"] = (valeurs(x) / np.where(den != 0, den, np.nan)) * 100.0
    return out


def verifier_ratios_colonnes(colonnes: Sequence[str], valeurs: Callable[[str], np.ndarray], pop: np.ndarray | None,
                             index: Sequence[int], fichier: str | Path) -> None:
    """Raise :class:`ErreurDonnees` when a table's ``f*`` or ``r*`` contradict its amounts (first contradiction
    in row order, then in the order of :func:`ratios_recalcules`; ``ligne`` = ``index`` of its row).

    Tolerance: 1 €/hab and 0,05 point of % above the rounding of the file (plus a relative margin of 1e-3
    for amounts that the file itself rounds to the k€).
    """
    calc = ratios_recalcules(colonnes, valeurs, pop)
    presentes = set(colonnes)
    cols = [c for c in calc if c in presentes]
    if not cols:
        return
    lu = np.column_stack([np.asarray(valeurs(c), dtype="float64") for c in cols])
    attendu = np.column_stack([calc[c] for c in cols])
    tol = np.array([TOLERANCE_PAR_HABITANT if c.startswith("f") else TOLERANCE_RATIO for c in cols])
    with np.errstate(invalid="ignore"):
        mauvais = np.abs(lu - attendu) > tol + 1e-3 * np.abs(attendu) + 1e-9
    mauvais &= ~np.isnan(lu) & ~np.isnan(attendu)
    if mauvais.any():
        i, j = np.argwhere(mauvais)[0]
        col, ligne = cols[j], index[i]
        base = col[1:]
        unite = "€/hab" if col.startswith("f") else "%"
        raise ErreurDonnees(
            f"incohérent avec les montants : attendu ≈ {attendu[i, j]:.2f} {unite} "
            f"(calculé depuis « {base} »" + (", « pop1 »" if col.startswith("f") else
                                               f", « {DENOMINATEURS_RATIOS.get(base, '?')} »") + ")",
            fichier=fichier, ligne=int(ligne), colonne=col, valeur=lu[i, j])
