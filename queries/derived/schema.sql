-- schema: the derived tables (dashboard.data.derived), which are not part of the data contract.
-- Each is filled by the definition of the same name in this folder; derived_version records
-- which definitions built them (a database built from others is rebuilt when opened).
create table if not exists outcome_facts (
    referral_id varchar not null,
    measure varchar not null,
    domain varchar not null,
    referral_date date not null,
    pcn_code varchar not null,
    baseline_score double,
    followup_score double,
    referral_month integer not null
);

create table if not exists outcome_monthly (
    referral_month integer not null,
    pcn_code varchar not null,
    measure varchar not null,
    domain varchar not null,
    people_with_baseline bigint not null,
    n bigint not null,
    sum_baseline double,
    sum_followup double,
    sum_improvement double,
    sumsq_improvement double,
    n_improved bigint not null,
    n_worse bigint not null,
    low_baseline_n bigint not null,
    low_baseline_improved bigint not null,
    low_baseline_sum_improvement double,
    low_baseline_sumsq_improvement double
);

create table if not exists outcome_people_monthly (
    referral_month integer not null,
    pcn_code varchar not null,
    people_with_baseline bigint not null,
    n bigint not null,
    star_people bigint not null,
    star_improved_people bigint not null
);

create table if not exists outcome_total_facts (
    referral_date date not null,
    referral_month integer not null,
    pcn_code varchar not null,
    measure varchar not null,
    domain varchar not null,
    baseline_score double not null,
    followup_score double
);

create table if not exists utilisation_facts (
    person_id varchar not null,
    setting varchar not null,
    cohort varchar not null,
    pcn_code varchar,
    index_from date,
    index_to date,
    before_count integer not null,
    after_count integer not null,
    window_months integer,
    extract_date date,
    index_month integer
);

create table if not exists utilisation_monthly (
    index_month integer not null,
    pcn_code varchar not null,
    cohort varchar not null,
    setting varchar not null,
    n_people bigint not null,
    sum_before bigint not null,
    sum_after bigint not null,
    sumsq_before bigint not null,
    sumsq_after bigint not null,
    sumsq_change bigint not null
);

create table if not exists onward_facts (
    onward_id varchar not null,
    referral_id varchar not null,
    pcn_code varchar not null,
    onward_date date not null,
    onward_month integer not null,
    activity varchar,
    result varchar,
    service_id varchar
);

create table if not exists onward_monthly (
    onward_month integer not null,
    pcn_code varchar not null,
    activity varchar,
    demand bigint not null,
    unmet bigint not null
);

create table if not exists derived_version (version varchar not null);
