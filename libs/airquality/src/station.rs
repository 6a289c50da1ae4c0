//! Measuring stations and how a user finds one: by name, or nearest to where they are.

use serde::{Deserialize, Serialize};

/// A measuring station from the AirKorea station list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Station {
    /// The name measurements are asked by, e.g. "종로구".
    pub name: String,
    pub address: String,
    /// WGS84 degrees (the list's `dmX`).
    pub latitude: f64,
    /// WGS84 degrees (the list's `dmY`).
    pub longitude: f64,
}

/// A station and how far it is from the point asked about.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyStation {
    pub station: Station,
    pub distance_km: f64,
}

/// Mean Earth radius (IUGG), which the haversine formula assumes.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance between two WGS84 points.
pub fn haversine_km(from: (f64, f64), to: (f64, f64)) -> f64 {
    let (lat1, lon1) = (from.0.to_radians(), from.1.to_radians());
    let (lat2, lon2) = (to.0.to_radians(), to.1.to_radians());
    let half_chord = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * half_chord.sqrt().min(1.0).asin()
}

/// Haversine; nearest first; at most `limit`.
pub fn nearest(
    stations: &[Station],
    latitude: f64,
    longitude: f64,
    limit: usize,
) -> Vec<NearbyStation> {
    let mut nearby: Vec<NearbyStation> = stations
        .iter()
        .map(|station| NearbyStation {
            distance_km: haversine_km((latitude, longitude), (station.latitude, station.longitude)),
            station: station.clone(),
        })
        .collect();
    nearby.sort_by(|a, b| a.distance_km.total_cmp(&b.distance_km));
    nearby.truncate(limit);
    nearby
}

/// Case-insensitive substring match on name (then address), exact name first; at most `limit`.
pub fn search(stations: &[Station], query: &str, limit: usize) -> Vec<Station> {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return Vec::new();
    }
    let rank = |station: &Station| {
        let name = station.name.to_lowercase();
        if name == query {
            Some(0)
        } else if name.contains(&query) {
            Some(1)
        } else if station.address.to_lowercase().contains(&query) {
            Some(2)
        } else {
            None
        }
    };
    let mut matches: Vec<(u8, &Station)> = stations
        .iter()
        .filter_map(|station| rank(station).map(|rank| (rank, station)))
        .collect();
    // Stable: within a rank, the list's own order (by region) is kept.
    matches.sort_by_key(|(rank, _)| *rank);
    matches
        .into_iter()
        .take(limit)
        .map(|(_, station)| station.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn station(name: &str, address: &str, latitude: f64, longitude: f64) -> Station {
        Station {
            name: name.into(),
            address: address.into(),
            latitude,
            longitude,
        }
    }

    fn seoul() -> Vec<Station> {
        vec![
            station("중구", "서울 중구 덕수궁길 15", 37.564639, 126.975961),
            station("종로구", "서울 종로구 종로35길 19", 37.572025, 127.005028),
            station("종로", "서울 종로구 종로 169", 37.570633, 126.996783),
            station("강남구", "서울 강남구 학동로 426", 37.517562, 127.047325),
            station("Jongno-test", "somewhere", 35.0, 129.0),
        ]
    }

    #[test]
    fn nearest_orders_by_distance_and_keeps_the_limit() {
        // Gwanghwamun is closest to 중구, then the two 종로 stations; 강남구 is far.
        let nearby = nearest(&seoul(), 37.5759, 126.9769, 3);
        let names: Vec<&str> = nearby.iter().map(|n| n.station.name.as_str()).collect();
        assert_eq!(names, ["중구", "종로", "종로구"]);
        assert!(nearby[0].distance_km > 1.0 && nearby[0].distance_km < 1.5);
        assert!(
            nearby
                .windows(2)
                .all(|w| w[0].distance_km <= w[1].distance_km)
        );
    }

    #[test]
    fn haversine_matches_a_known_distance() {
        // Seoul City Hall to Busan City Hall is about 325 km.
        let km = haversine_km((37.5663, 126.9779), (35.1798, 129.0750));
        assert!((km - 325.0).abs() < 5.0, "{km}");
        assert_eq!(haversine_km((37.5, 127.0), (37.5, 127.0)), 0.0);
    }

    #[test]
    fn search_puts_the_exact_name_first_then_names_then_addresses() {
        let found: Vec<String> = search(&seoul(), "종로", 10)
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(found, ["종로", "종로구"]);
        let by_address: Vec<String> = search(&seoul(), "덕수궁", 10)
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(by_address, ["중구"]);
    }

    #[test]
    fn search_ignores_case_and_surrounding_space_and_keeps_the_limit() {
        assert_eq!(search(&seoul(), "  JONGNO ", 10)[0].name, "Jongno-test");
        assert_eq!(search(&seoul(), "서울", 2).len(), 2);
        assert!(search(&seoul(), "   ", 10).is_empty());
        assert!(search(&seoul(), "부산", 10).is_empty());
    }
}
