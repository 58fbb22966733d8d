"""The vocabularies every installation starts with (DESIGN.md); seeded by a migration."""

# (vocabulary, code, English label, Korean label)
DEFAULT_TERMS: list[tuple[str, str, str, str]] = [
    ("facility_kind", "prison", "Prison", "교도소"),
    ("facility_kind", "detention_centre", "Detention centre", "구류장"),
    ("facility_kind", "border_post", "Border post", "국경 초소"),
    ("facility_kind", "labour_camp", "Labour camp", "노동교화소"),
    ("facility_kind", "other", "Other", "기타"),
    ("source_kind", "interview", "Interview", "면담"),
    ("source_kind", "ngo_report", "NGO report", "NGO 보고서"),
    ("source_kind", "media", "Media", "언론 보도"),
    ("source_kind", "satellite_imagery", "Satellite imagery", "위성 영상"),
    ("source_kind", "official_statement", "Official statement", "공식 발표"),
    ("source_kind", "relative", "Relative", "가족"),
    ("source_kind", "other", "Other", "기타"),
    ("gender", "female", "Female", "여성"),
    ("gender", "male", "Male", "남성"),
    ("gender", "other", "Other", "기타"),
    ("gender", "unknown", "Unknown", "미상"),
    ("status", "detained", "Detained", "구금"),
    ("status", "repatriated", "Repatriated", "강제송환"),
    ("status", "vanished", "Vanished", "행방불명"),
    ("status", "detained_in_nk", "Detained in North Korea", "북한 내 구금"),
    ("status", "released", "Released", "석방"),
    ("status", "resettled", "Resettled", "정착"),
    ("status", "deceased", "Deceased", "사망"),
    ("status", "unknown", "Unknown", "미상"),
]

VOCABULARIES = sorted({term[0] for term in DEFAULT_TERMS})

# Other names spreadsheets use for the default terms, matched like their labels.
DEFAULT_ALIASES: dict[tuple[str, str], list[str]] = {
    ("gender", "female"): ["F", "W", "woman", "여", "여자"],
    ("gender", "male"): ["M", "man", "남", "남자"],
    ("gender", "unknown"): ["U", "?", "모름", "불명"],
    ("status", "vanished"): ["disappeared", "missing", "실종", "행방불명", "행불"],
    ("status", "repatriated"): ["forcibly repatriated", "송환", "북송", "강제북송"],
    ("status", "detained"): ["in detention", "구류", "수감", "구금 중"],
    ("status", "detained_in_nk"): ["detained in NK", "북한 구금", "북한 내 수감"],
    ("status", "deceased"): ["dead", "died", "사망자"],
    ("status", "released"): ["freed", "석방됨"],
    ("status", "resettled"): ["정착함", "입국"],
    ("status", "unknown"): ["모름", "불명"],
    ("facility_kind", "prison"): ["감옥", "교도소"],
    ("facility_kind", "detention_centre"): ["detention center", "구치소", "구류장", "수용소"],
    ("facility_kind", "labour_camp"): ["labor camp", "교화소", "노동단련대"],
    ("facility_kind", "border_post"): ["border guard post", "변방대", "국경 경비대"],
    ("source_kind", "interview"): ["인터뷰"],
    ("source_kind", "media"): ["news", "press", "언론", "기사"],
    ("source_kind", "relative"): ["family", "가족 증언"],
}
