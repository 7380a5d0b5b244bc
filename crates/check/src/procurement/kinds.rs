//! From an indicator's settings in the pack to the indicator that runs them.

use mandate_rules::IndicatorKind;

use super::{
    all_except_winner_disqualified, bid_ratio, bid_rotation, complaint_rate, contract_value_increase,
    direct_award, disqualified_bids, heterogeneous_supplier, identical_bid_prices, late_bid_won,
    lowest_bid_disqualified, new_supplier, repeat_supplier, short_tender_period, single_bid, split_purchases,
    supplier_concentration, unsuccessful_bids, RedFlag,
};

pub(super) fn build<'p>(kind: &'p IndicatorKind) -> Box<dyn RedFlag + 'p> {
    use IndicatorKind as K;
    match kind {
        K::SingleBid { count_from } => Box::new(single_bid::SingleBid { count_from }),
        K::ShortTenderPeriod {
            minimum_days,
            days,
            whole_days,
            minimum_days_by_method_details,
        } => Box::new(short_tender_period::ShortTenderPeriod {
            minimum_days: *minimum_days,
            days: *days,
            whole_days: *whole_days,
            by_details: minimum_days_by_method_details,
        }),
        K::PriceCloseToWinningBid {
            threshold,
            minimum_sample,
        } => Box::new(bid_ratio::BidRatio::close(*threshold, *minimum_sample)),
        K::HeavilyDiscountedBid {
            threshold,
            minimum_sample,
        } => Box::new(bid_ratio::BidRatio::discounted(*threshold, *minimum_sample)),
        K::ExcessiveUnsuccessfulBids {
            percentile,
            minimum_bids,
            threshold,
            minimum_sample,
        } => Box::new(unsuccessful_bids::UnsuccessfulBids::new(
            *percentile,
            *minimum_bids as u64,
            *threshold,
            *minimum_sample,
        )),
        K::IdenticalBidPrices {} => Box::new(identical_bid_prices::IdenticalBidPrices),
        K::LateBidWon {} => Box::new(late_bid_won::LateBidWon),
        K::AllExceptWinnerDisqualified { minimum_disqualified } => {
            Box::new(all_except_winner_disqualified::AllExceptWinnerDisqualified {
                minimum: *minimum_disqualified,
            })
        }
        K::LowestBidDisqualified {} => Box::new(lowest_bid_disqualified::LowestBidDisqualified),
        K::ExcessiveDisqualifiedBids {
            threshold,
            per,
            minimum_contracting_processes,
            minimum_submitted_bids,
            minimum_sample,
        } => Box::new(disqualified_bids::DisqualifiedBids::new(
            per,
            *threshold,
            *minimum_contracting_processes,
            *minimum_submitted_bids,
            *minimum_sample,
        )),
        K::HeterogeneousSupplier {
            digits,
            threshold,
            minimum_contracting_processes,
            minimum_sample,
        } => Box::new(heterogeneous_supplier::HeterogeneousSupplier::new(
            *digits,
            *threshold,
            *minimum_contracting_processes,
            *minimum_sample,
        )),
        K::HighComplaintRate {
            threshold,
            minimum_contracting_processes,
            minimum_sample,
        } => Box::new(complaint_rate::ComplaintRate::new(
            *threshold,
            *minimum_contracting_processes,
            *minimum_sample,
        )),
        K::SupplierConcentration {
            threshold,
            minimum_contracting_processes,
            minimum_sample,
        } => Box::new(supplier_concentration::SupplierConcentration::new(
            *threshold,
            *minimum_contracting_processes,
            *minimum_sample,
        )),
        K::RepeatSupplier {
            threshold,
            minimum_contracting_processes,
            minimum_sample,
        } => Box::new(repeat_supplier::RepeatSupplier::new(
            *threshold,
            *minimum_contracting_processes,
            *minimum_sample,
        )),
        K::BidRotation {
            minimum_contracting_processes,
            minimum_group_size,
            maximum_group_size,
        } => Box::new(bid_rotation::BidRotation::new(
            *minimum_contracting_processes,
            *minimum_group_size,
            *maximum_group_size,
        )),
        K::SplitPurchases {
            threshold,
            currency,
            margin,
            window_days,
            minimum_count,
        } => Box::new(split_purchases::SplitPurchases::new(
            *threshold,
            currency,
            *margin,
            *window_days,
            *minimum_count,
        )),
        K::ContractValueIncrease { maximum_increase } => {
            Box::new(contract_value_increase::ContractValueIncrease {
                maximum_increase: *maximum_increase,
            })
        }
        K::NewSupplier {
            minimum_days,
            registration_date_field,
        } => Box::new(new_supplier::NewSupplier {
            minimum_days: *minimum_days,
            field: registration_date_field,
        }),
        K::DirectAwardAboveThreshold {
            threshold,
            currency,
            methods,
            threshold_by_category,
        } => Box::new(direct_award::DirectAward {
            threshold: *threshold,
            currency,
            methods,
            by_category: threshold_by_category,
        }),
    }
}
