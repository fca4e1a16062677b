// Dutch labels for the codes the API returns; unknown codes are shown as they are.

export const MUNICIPALITIES: Record<string, string> = {
  "gemeente:0363": "Amsterdam",
  "gemeente:0268": "Nijmegen",
  "gemeente:0796": "'s-Hertogenbosch",
};

export const KINDS: Record<string, string> = {
  housing: "Wonen",
  sheltered_housing: "Beschermd wonen",
  income_and_debt: "Inkomen en schulden",
  work_and_daytime_activity: "Werk en dagbesteding",
  peer_support: "Ervaringsdeskundigheid",
  self_help_group: "Zelfhulpgroep",
  family_support: "Steun voor naasten",
  aftercare: "Nazorg",
  general_practitioner: "Huisarts",
  wmo_support: "Wmo-ondersteuning",
  other: "Overig",
};

export const RULES: Record<string, string> = {
  treatment_ended_without_followup: "Behandeling beëindigd zonder vervolg",
  dropout_without_outreach: "Uitval zonder outreach",
  end_approaching_without_followup: "Einde nadert zonder vervolg",
  referral_unacknowledged: "Verwijzing niet bevestigd",
  wmo_assessment_overdue: "Wmo-onderzoek te laat",
  followup_start_overdue: "Start vervolg te laat",
  support_gap: "Gat in de ondersteuning",
  offer_expired: "Aanbod verlopen",
  warm_handoff_missing: "Geen warme overdracht",
  outcome_check_overdue: "Nameting te laat",
};

export const SEVERITIES: Record<string, string> = {
  warning: "Waarschuwing",
  critical: "Kritiek",
  escalated: "Geëscaleerd",
};

export function label(table: Record<string, string>, code: string): string {
  return table[code] ?? code;
}
