"""``make new-client NAME=… [FROM=export]``: a client folder with a commented ``client.yaml``.

With an export (``FROM=``: CSV, Qualtrics CSV, SPSS ``.sav``/``.zsav`` or Excel ``.xlsx``) the export is
copied in and the ``client.yaml`` is drafted from it (:mod:`cem_research.run.draft`); without one, a
commented template and the header of the survey file it declares are written (no optional files).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from cem_research.client.config import check_client_name

TEMPLATE = """\
# client.yaml for {name} -- the one file that describes this client's data.
# Every column name below is YOURS: change them to the names in your survey export.
# Full reference: docs/contract.md.  Check the data with `make check CLIENT={name}`.

name: {title}                     # shown on the report
market: B2C                       # B2C | B2B | mixed
brand: Our Brand                  # the client's own brand, as written in the brand column
competitors:                      # kind: direct | new_entrant | outside_industry
  - {{name: Rival One, kind: direct}}
  - {{name: Newcomer, kind: new_entrant}}
  - {{name: Other Industry Co, kind: outside_industry}}
csv: {{delimiter: ",", decimal: ".", encoding: utf-8}}   # e.g. ";" "," cp1252 for European Excel
scale: [1, 7]                     # default answer scale of the items

survey:                           # required: one row per respondent and rated brand
  file: survey.csv
  id: respondent_id
  wave: wave
  brand: brand                    # remove if every row rates the own brand

# Brand Experience Scale (Brakus, Schmitt & Zarantonello 2009), 7-point agreement:
constructs:
  sensory:                        # a strong impression on my senses / interesting in a sensory way / (R) does not appeal
    items: [sens1, sens2, sens3_r]
    reverse: [sens3_r]
    experience: true
    kind: emotional
    layer: brand
  affective:                      # induces feelings / (R) no strong emotions / an emotional brand
    items: [aff1, aff2_r, aff3]
    reverse: [aff2_r]
    experience: true
    kind: emotional
    layer: brand
  intellectual:                   # makes me think / (R) does not make me think / stimulates curiosity
    items: [int1, int2_r, int3]
    reverse: [int2_r]
    experience: true
    layer: brand
  behavioral:                     # physical actions / bodily experiences / (R) not action oriented
    items: [beh1, beh2, beh3_r]
    reverse: [beh3_r]
    experience: true
    layer: brand
  satisfaction: {{items: [overall_satisfaction], scale: [1, 10]}}
  recommend: {{items: [likelihood_to_recommend], scale: [0, 10]}}
drivers: [sensory, affective, intellectual, behavioral]
outcomes: [satisfaction, recommend]
nps: recommend

segments:                         # segment column: label shown in the report
  customer_type: Customer type (B2C/B2B)
  role: Purchaser or user

journey: [awareness, purchase, usage, disposal]

# Optional files: uncomment when you have them (CSV, .xlsx or .sav; see docs/contract.md).
# feedback:
#   file: feedback.csv
#   text: comment
#   id: respondent_id
#   wave: wave
#   touchpoint: touchpoint
# touchpoints:
#   file: touchpoints.csv
#   id: respondent_id
#   touchpoint: touchpoint
#   stage: stage                  # one of the journey stages above
#   interface: interface          # human_human | human_technology | human_environment
#   channel: channel
#   time: timestamp               # ISO 8601
#   satisfaction: rating
#   effort: effort
#   scale: [1, 5]
#   effort_scale: [1, 7]
"""

SURVEY_HEADER = ("respondent_id,wave,brand,customer_type,role,sens1,sens2,sens3_r,aff1,aff2_r,aff3,"
                 "int1,int2_r,int3,beh1,beh2,beh3_r,overall_satisfaction,likelihood_to_recommend\n")


def new_client(name: str, raw_root: str | Path, source: str | Path | None = None) -> Path:
    """Create ``raw_root/<name>/`` with a commented ``client.yaml``.

    Parameters
    ----------
    name : str
        Client folder name (letters, digits, ``_`` and ``-``).
    raw_root : str or Path
        Usually ``data/raw``.
    source : str or Path, optional
        A survey export (CSV, Qualtrics CSV, ``.sav``/``.zsav``, ``.xlsx``): copied into the folder
        unchanged, and ``client.yaml`` is drafted from it (:func:`cem_research.run.draft.draft_config`).
        Without it, a template and the header of its ``survey.csv`` are written; optional files
        (feedback, touchpoints) are only described in the template's comments.

    Returns
    -------
    Path
        The new folder.

    Raises
    ------
    FileExistsError
        If the folder exists (nothing is overwritten).
    FileNotFoundError
        If ``source`` is not a file.
    ContractError
        If ``source`` cannot be read (nothing is created then).
    """
    check_client_name(name)
    folder = Path(raw_root) / name
    if folder.exists():
        raise FileExistsError(f"{folder} already exists; nothing was changed")
    title = name.replace("_", " ").replace("-", " ").title()
    if source is not None:
        from cem_research.run.draft import draft_config

        source = Path(source)
        if not source.is_file():
            raise FileNotFoundError(f"{source} is not a file; give the path of a survey export")
        text = draft_config(name, title, source)  # read before anything is created
        folder.mkdir(parents=True)
        shutil.copy2(source, folder / source.name)
        (folder / "client.yaml").write_text(text, encoding="utf-8")
        return folder
    folder.mkdir(parents=True)
    (folder / "client.yaml").write_text(TEMPLATE.format(name=name, title=title), encoding="utf-8")
    (folder / "survey.csv").write_text(SURVEY_HEADER, encoding="utf-8")
    return folder
