-- macros: the formulas that several queries, or a query and a derived table, share. Each is
-- defined here once and nowhere else.
-- They are stored in the database with its schema (dashboard.data.derived.create_macros, on
-- every writable open), so every connection and cursor has them, read-only ones included. A
-- change here changes the derived tables' definition: a database is rebuilt when next opened.
-- Scalar macros expand in place; `*_sums` are aggregates (use them with `group by` and expand
-- the struct they return with `.*`); `period_months` is a table macro.

-- A date's calendar month as one integer, year * 12 + month - 1, so months compare and subtract.
create or replace macro month_number(day) as
    cast(year(day) * 12 + month(day) - 1 as integer);

-- A period's months (from and to inclusive): the month it starts in (first_month), and its
-- first and last whole calendar months (month_from > month_to when it holds none). Whole
-- months come pre-summed from the monthly tables; the part months from the facts.
create or replace macro period_months(date_from, date_to) as table
    select
        month_number(date_from::date) as first_month,
        first_month + (case when day(date_from::date) = 1 then 0 else 1 end) as month_from,
        month_number(date_to::date)
        - (case when month(date_to::date + 1) = month(date_to::date) then 1 else 0 end)
            as month_to;

-- A day of the period (date_from to date_to inclusive) outside its whole months: the part
-- months a query sums from the facts (the whole months, those of period_months, come
-- pre-summed). Written as comparisons of the day with constants, so that a scan of facts sorted
-- by date skips the blocks of the whole months.
create or replace macro in_part_month(day, date_from, date_to) as
    day between date_from::date and date_to::date
    and (
        day < cast(date_trunc('month', date_from::date - 1) + interval 1 month as date)
        or day > cast(date_trunc('month', date_to::date + 1) - interval 1 day as date)
    );

-- Each PCN's registered list for a period (date_from to date_to inclusive): the mean of its list
-- size extracts (NHS Digital publishes them monthly, dated by EXTRACT_DATE) dated in the
-- period; with none in it, the latest before it, else the earliest after it; with no
-- recorded extract at all, the list on the pcns table. `list_size_extracts` is how many
-- extracts the mean is of (0: the nearest one or the pcns table's), `list_size_from` and
-- `list_size_to` their dates, so a rate can say which list size it used.
create or replace macro period_list_sizes(date_from, date_to) as table
    with
    recorded as (select pcn_code, list_size_date, list_size from main.pcn_list_sizes),
    within as (
        select pcn_code, avg(list_size) as list_size, count(*) as extracts,
            min(list_size_date) as first_date, max(list_size_date) as last_date
        from recorded
        where list_size_date between date_from::date and date_to::date
        group by pcn_code
    ),
    nearest as (
        select pcn_code,
            arg_min(list_size, abs(date_diff('day', list_size_date, date_from::date))
                + case when list_size_date < date_from::date then 0 else 0.5 end) as list_size,
            arg_min(list_size_date, abs(date_diff('day', list_size_date, date_from::date))
                + case when list_size_date < date_from::date then 0 else 0.5 end) as list_date
        from recorded
        group by pcn_code
    )
    select
        pcns.pcn_code,
        coalesce(within.list_size, nearest.list_size, pcns.list_size) as list_size,
        coalesce(within.extracts, 0) as list_size_extracts,
        coalesce(within.first_date, nearest.list_date) as list_size_from,
        coalesce(within.last_date, nearest.list_date) as list_size_to
    from main.pcns
    left join within using (pcn_code)
    left join nearest using (pcn_code);

-- Each referral of a PCN on the reference list referred from date_from to date_to (inclusive)
-- as a wait to first contact, for Kaplan-Meier estimates: `contacted` (an event at `days`)
-- when a first contact is recorded; otherwise censored at its end date when it closed without
-- contact, else at the data's date (the latest referral, contact or end date loaded), so people
-- still waiting (`still_waiting`) count for as long as they have waited.
create or replace macro referral_waits(date_from, date_to) as table
    with
    data_date as (
        select greatest(max(referral_date), max(first_contact_date), max(end_date)) as as_of
        from main.referrals
    ),
    referrals as (
        select pcn_code, referral_date, first_contact_date, end_date
        from main.referrals
        where referral_date between date_from::date and date_to::date
            and pcn_code in (select pcn_code from main.pcns)
    )
    select
        referrals.pcn_code,
        referrals.first_contact_date is not null as contacted,
        referrals.first_contact_date is null and referrals.end_date is null as still_waiting,
        greatest(
            coalesce(referrals.first_contact_date, referrals.end_date, data_date.as_of)
                - referrals.referral_date,
            0
        ) as days
    from referrals
    cross join data_date;

-- Events per 1,000 people a year: events / people x 1,000, annualised over a period of `days`
-- days (x 365 / days, so a whole year counts as one year). The referral rate per 1,000
-- registered patients a year, and any rate against a population.
create or replace macro rate_per_1000_a_year(events, people, days) as
    events::double * 1000 / people * 365 / days;

-- SWEMWBS raw totals (7-35) become metric scores through the Rasch conversion table `metric`
-- (the list bound as $swemwbs_metric, indexed by raw total - 7) before any comparison; the
-- other measures' scores are used as they are.
create or replace macro metric_score(measure, score, metric) as
    case
        when measure = 'swemwbs' then list_extract(metric, cast(round(score) as integer) - 6)
        else score
    end;

-- An outcome's change in the better direction: follow-up - baseline, except for ONS4 anxiety,
-- where a fall is the improvement. A person improved when this is above 0.
create or replace macro improvement(measure, domain, baseline, followup) as
    (followup - baseline)
    * (case when measure = 'ons4' and domain = 'anxiety' then -1 else 1 end);

-- A low baseline: a Wellbeing Star domain scored 2 or less (as in the Rotherham evaluation).
create or replace macro low_baseline(measure, baseline) as
    measure = 'wellbeing_star' and baseline <= 2;

-- The outcomes outcome_monthly pre-sums: Wellbeing Star and ONS4, whose figures need no query
-- parameter (no Rasch conversion, no meaningful-change threshold).
create or replace macro outcome_summed_monthly(measure) as
    measure in ('wellbeing_star', 'ons4');

-- Sums of outcomes with a baseline from which the means, shares and standard deviations of any
-- set of months and PCNs add up exactly: outcome_monthly's columns, and outcome_change's for its
-- part months. `change` is the improvement, `low` the low-baseline flag.
create or replace macro outcome_sums(baseline, followup, change, low) as
    struct_pack(
        people_with_baseline := count(*),
        n := count(followup),
        sum_baseline := sum(baseline) filter (where followup is not null),
        sum_followup := sum(followup),
        sum_improvement := sum(change),
        sumsq_improvement := sum(change * change),
        n_improved := count(*) filter (where change > 0),
        n_worse := count(*) filter (where change < 0),
        low_baseline_n := count(followup) filter (where low),
        low_baseline_improved := count(*) filter (where low and change > 0),
        low_baseline_sum_improvement := sum(change) filter (where low),
        low_baseline_sumsq_improvement := sum(change * change) filter (where low)
    );

-- A referral's outcomes with a baseline, as flags for counting people (group by referral):
-- followed up on any measure, a paired Wellbeing Star, and a Star score that rose in at least
-- one domain (the Rotherham evaluation's measure of people who improved).
create or replace macro outcome_person_flags(measure, baseline, followup) as
    struct_pack(
        followed_up := bool_or(followup is not null),
        star_paired := bool_or(measure = 'wellbeing_star' and followup is not null),
        star_improved := bool_or(measure = 'wellbeing_star' and followup > baseline)
    );

-- People counted from the flags of outcome_person_flags (one row per referral):
-- outcome_people_monthly's columns, and outcome_followup's for its part months.
create or replace macro outcome_people_sums(followed_up, star_paired, star_improved) as
    struct_pack(
        people_with_baseline := count(*),
        n := count(*) filter (where followed_up),
        star_people := count(*) filter (where star_paired),
        star_improved_people := count(*) filter (where star_improved)
    );

-- The paired people utilisation_monthly pre-sums: those whose rows share one index date and
-- carry a PCN (every referred person; comparison rows as the contract asks).
create or replace macro utilisation_summed_monthly(index_from, index_to, pcn_code) as
    index_from = index_to and pcn_code is not null;

-- Sums of paired before/after counts from which means, standard deviations and their change
-- add up exactly: utilisation_monthly's columns, and utilisation_change's for its part months.
create or replace macro utilisation_sums(before_count, after_count) as
    struct_pack(
        n_people := count(*),
        sum_before := sum(before_count),
        sum_after := sum(after_count),
        sumsq_before := sum(before_count * before_count),
        sumsq_after := sum(after_count * after_count),
        sumsq_change := sum((after_count - before_count) * (after_count - before_count))
    );

-- Unmet VCSE demand: an onward referral waitlisted, declined for no capacity, or sent to a
-- closed service.
create or replace macro is_unmet(result) as
    result in ('waitlisted', 'declined_no_capacity', 'service_closed');

-- The referral funnel's stages, summed from referrals counted by their latest status: an
-- aggregate over rows of one status each, `referrals` of them and `contacted` of those with a
-- first contact recorded (`select funnel_sums(status, referrals, contacted).*` over
-- `group by status` counts; counting a few such rows is far cheaper than testing every
-- referral's status for each stage). Contacted: a first contact is recorded; engaged: engaged
-- or completed; open: referred, contacted or engaged; closed: completed or one of the
-- drop-outs (declined, not contactable, did not attend). Every stage is 0 over no rows.
create or replace macro funnel_sums(status, referrals, contacted) as
    struct_pack(
        referred := coalesce(sum(referrals), 0)::bigint,
        contacted := coalesce(sum(contacted), 0)::bigint,
        engaged := coalesce(
            sum(referrals) filter (where status in ('engaged', 'completed')), 0
        )::bigint,
        completed := coalesce(sum(referrals) filter (where status = 'completed'), 0)::bigint,
        declined := coalesce(sum(referrals) filter (where status = 'declined'), 0)::bigint,
        not_contactable := coalesce(
            sum(referrals) filter (where status = 'not_contactable'), 0
        )::bigint,
        did_not_attend := coalesce(
            sum(referrals) filter (where status = 'did_not_attend'), 0
        )::bigint,
        open := coalesce(
            sum(referrals) filter (where status in ('referred', 'contacted', 'engaged')), 0
        )::bigint,
        closed := coalesce(
            sum(referrals) filter (
                where status in ('completed', 'declined', 'not_contactable', 'did_not_attend')
            ),
            0
        )::bigint
    );

-- Demand (onward referrals) and unmet demand: onward_monthly's columns, and capacity_gaps' for
-- its part months.
create or replace macro onward_sums(result) as
    struct_pack(
        demand := count(*),
        unmet := count(*) filter (where is_unmet(result))
    );
