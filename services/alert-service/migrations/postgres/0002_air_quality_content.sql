-- Air-quality content (issue 5). Every existing alert is plain: its title and body as written.
-- For air-quality alerts: the AirKorea station, an optional condition (measure 'pm10' | 'pm25' |
-- 'worse', at or above a grade 'good' | 'moderate' | 'bad' | 'very_bad' or a value in µg/m³), and
-- what a run does without a reading ('send' with a notice, or 'skip').
ALTER TABLE alerts ADD COLUMN content_kind TEXT NOT NULL DEFAULT 'plain';
ALTER TABLE alerts ADD COLUMN station TEXT;
ALTER TABLE alerts ADD COLUMN condition_measure TEXT;
ALTER TABLE alerts ADD COLUMN condition_grade TEXT;
ALTER TABLE alerts ADD COLUMN condition_value BIGINT;
ALTER TABLE alerts ADD COLUMN when_unavailable TEXT NOT NULL DEFAULT 'send';

-- Why a run was skipped (condition not met, reading unavailable), or why a sent message lacks
-- its reading; empty otherwise.
ALTER TABLE alert_runs ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- The language of the user's notifications: 'ko' (the default) or 'en'.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'ko';
