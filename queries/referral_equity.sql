-- referral_equity: who is reached. Referrals and the annualised rate per 1,000 registered
-- patients (macro rate_per_1000_a_year) by IMD quintile (1 = most deprived 20%), age band,
-- sex and ethnicity, split by route: clinical (gp, nurse, other_clinician, practice_staff,
-- secondary_care) or community (self, vcse, social_care, other). The denominator is the pcns
-- extract's pop_* column for the group, summed over the filter's PCNs; it is null (no rate)
-- where the extract has no column for the group (ethnicity, sex other/unknown, IMD unknown)
-- or where any of the filter's PCNs lacks it, since a partial sum would overstate the rate.
-- grain: one row per dimension and group, every group listed even with no referrals.
-- parameters: $date_from, $date_to (inclusive), $days, $pcns (empty = whole ICB).
with

pcns as (
    select * from main.pcns
    where len($pcns) = 0 or list_contains($pcns, pcn_code)
),

referrals as (
    select
        age_band,
        sex,
        ethnicity,
        imd_decile,
        referral_source in ('self', 'vcse', 'social_care', 'other') as community_route
    from main.referrals
    where referral_date between $date_from and $date_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
        and pcn_code in (select pcn_code from main.pcns)
),

groups(dimension, group_code, group_order, population_column) as (
    values
        ('imd_quintile', '1', 1, 'pop_imd_q1'),
        ('imd_quintile', '2', 2, 'pop_imd_q2'),
        ('imd_quintile', '3', 3, 'pop_imd_q3'),
        ('imd_quintile', '4', 4, 'pop_imd_q4'),
        ('imd_quintile', '5', 5, 'pop_imd_q5'),
        ('imd_quintile', 'unknown', 6, null),
        ('age_band', '0-17', 1, 'pop_age_0_17'),
        ('age_band', '18-24', 2, 'pop_age_18_24'),
        ('age_band', '25-34', 3, 'pop_age_25_34'),
        ('age_band', '35-44', 4, 'pop_age_35_44'),
        ('age_band', '45-54', 5, 'pop_age_45_54'),
        ('age_band', '55-64', 6, 'pop_age_55_64'),
        ('age_band', '65-74', 7, 'pop_age_65_74'),
        ('age_band', '75-84', 8, 'pop_age_75_84'),
        ('age_band', '85+', 9, 'pop_age_85_plus'),
        ('sex', 'female', 1, 'pop_female'),
        ('sex', 'male', 2, 'pop_male'),
        ('sex', 'other', 3, null),
        ('sex', 'unknown', 4, null),
        ('ethnicity', 'white', 1, null),
        ('ethnicity', 'mixed', 2, null),
        ('ethnicity', 'asian', 3, null),
        ('ethnicity', 'black', 4, null),
        ('ethnicity', 'other', 5, null),
        ('ethnicity', 'not_stated', 6, null)
),

pcn_populations as (select columns('^pop_') from pcns),

population_columns as (
    select * from pcn_populations
    unpivot include nulls (population for population_column in (columns(*)))
),

populations as (
    select
        population_column,
        sum(population) as population,
        count(population) = count(*) as known_for_every_pcn
    from population_columns
    group by population_column
),

-- One pass over the referrals into a small cross-tabulation, then the four margins of it
-- (unpivoted, one aggregate): grouping sets straight on the referrals would scan them once per
-- set, and even on the small table cost an aggregate each. The deciles become
-- quintiles in the small table: a text quintile made for every referral cost more than the
-- count itself.
crosstab_by_decile as (
    select
        imd_decile,
        age_band,
        sex,
        ethnicity,
        count(*) as referrals,
        count(*) filter (where not community_route) as clinical_referrals,
        count(*) filter (where community_route) as community_referrals
    from referrals
    group by all
),

crosstab as (
    select
        coalesce(((imd_decile + 1) // 2)::varchar, 'unknown') as imd_quintile,
        age_band,
        sex,
        ethnicity,
        referrals,
        clinical_referrals,
        community_referrals
    from crosstab_by_decile
),

counts as (
    select
        dimension,
        group_code,
        sum(referrals) as referrals,
        sum(clinical_referrals) as clinical_referrals,
        sum(community_referrals) as community_referrals
    from (
        unpivot crosstab
        on imd_quintile, age_band, sex, ethnicity
        into name dimension value group_code
    )
    group by dimension, group_code
),

joined as (
    select
        groups.dimension,
        groups.group_code,
        groups.group_order,
        coalesce(counts.referrals, 0) as referrals,
        coalesce(counts.clinical_referrals, 0) as clinical_referrals,
        coalesce(counts.community_referrals, 0) as community_referrals,
        case when populations.known_for_every_pcn then populations.population end
            as population
    from groups
    left join counts
        on counts.dimension = groups.dimension and counts.group_code = groups.group_code
    left join populations on populations.population_column = groups.population_column
),

final as (
    select
        dimension,
        group_code,
        referrals,
        clinical_referrals,
        community_referrals,
        population,
        rate_per_1000_a_year(referrals, nullif(population, 0), $days) as rate_per_1000,
        rate_per_1000_a_year(clinical_referrals, nullif(population, 0), $days)
            as clinical_rate_per_1000,
        rate_per_1000_a_year(community_referrals, nullif(population, 0), $days)
            as community_rate_per_1000,
        community_referrals * 100.0 / nullif(referrals, 0) as community_route_pct,
        referrals * 100.0 / nullif(sum(referrals) over (partition by dimension), 0)
            as share_of_referrals_pct,
        population * 100.0 / nullif(sum(population) over (partition by dimension), 0)
            as share_of_population_pct
    from joined
    order by
        list_position(['imd_quintile', 'age_band', 'sex', 'ethnicity'], dimension),
        group_order
)

select * from final
