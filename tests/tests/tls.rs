//! lomi-client brings rustls with the ring provider (not reqwest's aws-lc default) and
//! installs ring as the process's default provider: another reqwest client of the
//! application that enables no TLS feature of its own still builds, and one the
//! application installed itself is respected.

#[test]
fn the_applications_own_reqwest_clients_still_build() {
    let client = lomi_client::Client::builder("lomi_sk_test")
        .build()
        .unwrap();
    assert_eq!(client.baseurl(), "https://api.lomi.africa/v1");
    // The tests crate's reqwest brings rustls without a provider: without a default one this
    // would panic ("No rustls crypto provider is configured").
    reqwest::Client::builder().build().unwrap();
    assert!(rustls::crypto::CryptoProvider::get_default().is_some());
}
