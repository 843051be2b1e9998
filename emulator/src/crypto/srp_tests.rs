//! Known-answer and round-trip tests of `srp` (vectors from pycognito 2024.5.1; see each test).

use super::*;

fn int(hex: &str) -> BigUint {
    BigUint::parse_bytes(hex.as_bytes(), 16).unwrap()
}

/// `k` from pycognito 2024.5.1: `format(AWSSRP(...).val_k, 'x')`, i.e. `hex_hash("00" + N_HEX + "0" + G_HEX)`.
#[test]
fn multiplier_known_answer() {
    assert_eq!(
        multiplier().to_str_radix(16),
        "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
    );
    assert_eq!(modulus().bits(), 3072);
    assert_eq!(pad_hex(modulus()).len(), 770);
}

#[test]
fn pad_hex_rule() {
    let cases: [(u64, &str); 9] = [
        (0, "00"),
        (1, "01"),
        (0xf, "0f"),
        (0x7f, "7f"),
        (0x80, "0080"),
        (0xff, "00ff"),
        (0x123, "0123"),
        (0x8123, "008123"),
        (0x81234, "081234"),
    ];
    for (value, expected) in cases {
        assert_eq!(pad_hex(&BigUint::from(value)), expected, "{value:#x}");
    }
}

#[test]
fn hex_hash_hashes_decoded_bytes() {
    // SHA-256 of the empty string and of the single byte 0x00 (FIPS 180-2 / well-known digests).
    assert_eq!(
        hex_hash(""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        hex_hash("00"),
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    );
}

#[test]
fn pool_name_is_part_after_underscore() {
    assert_eq!(pool_name("us-east-1_AbC123"), "AbC123");
    assert_eq!(pool_name("eu-west-2_Zx9"), "Zx9");
    assert_eq!(pool_name("nounderscore"), "");
}

#[test]
fn salt_hex_is_canonical() {
    let v = |salt: &[u8]| SrpVerifier {
        salt: salt.to_vec(),
        verifier: BigUint::ZERO,
    };
    assert_eq!(v(&[0xb1, 0x94]).salt_hex(), "00b194");
    assert_eq!(v(&[0x00, 0x0f, 0xab]).salt_hex(), "0fab");
    assert_eq!(v(&[0x12, 0x34]).salt_hex(), "1234");
    assert!(!format!("{:?}", compute_verifier("p", "u", "pw", &[1; 16])).contains("verifier:"));
}

#[test]
fn parse_client_public_rejects_bad_values() {
    let n = N_HEX.to_ascii_lowercase();
    let two_n = (modulus() * 2u32).to_str_radix(16);
    for bad in ["", "0", "000", "xyz", "+1", "1_0", " 1", "-1", &n, &two_n] {
        assert!(parse_client_public(bad).is_none(), "{bad:?}");
    }
    assert!(parse_client_public(&"1".repeat(MAX_PUBLIC_HEX_LEN + 1)).is_none());
    assert_eq!(parse_client_public("0A"), Some(BigUint::from(10u32)));
    assert_eq!(parse_client_public("2"), Some(BigUint::from(2u32)));
}

#[test]
fn private_value_is_reduced() {
    assert!(private_value(&[0xff; 400]) < *modulus());
    assert_eq!(private_value(&[1, 0]), BigUint::from(256u32));
}

use super::client::{timestamp, PasswordVerifier, SrpClient};

#[test]
fn client_and_server_agree_and_wrong_password_does_not() {
    let pool = pool_name("us-east-1_AbC123");
    let user = "5e1c0b2a-7d3f-4a9e-8b6c-1f2e3d4c5b6a";
    let salt: [u8; 16] = [0x9a, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
    let stored = compute_verifier(pool, user, "Correct-Horse-1", &salt);

    let client = SrpClient::new(&[0x5a; 128]);
    let b = private_value(&[0xa5; 128]);
    let a_pub = parse_client_public(&client.srp_a()).unwrap();
    let b_pub = server_b(&stored.verifier, &b);
    let u = compute_u(&a_pub, &b_pub);
    let server_key = session_key(&a_pub, &stored.verifier, &u, &b);

    let secret_block = b"opaque secret block";
    let timestamp = "Tue Nov 5 09:03:07 UTC 2024";
    let b_hex = b_pub.to_str_radix(16);
    let client_key = client
        .session_key(pool, user, "Correct-Horse-1", &stored.salt_hex(), &b_hex)
        .unwrap();
    assert_eq!(client_key, server_key);
    let signature = STANDARD.encode(claim_signature(
        &client_key,
        pool,
        user,
        secret_block,
        timestamp,
    ));
    assert!(verify_claim(
        &server_key,
        pool,
        user,
        secret_block,
        timestamp,
        &signature
    ));
    // The signature binds every input.
    assert!(!verify_claim(
        &server_key,
        pool,
        user,
        secret_block,
        "Tue Nov 5 09:03:08 UTC 2024",
        &signature
    ));
    assert!(!verify_claim(
        &server_key,
        pool,
        "other",
        secret_block,
        timestamp,
        &signature
    ));
    assert!(!verify_claim(
        &server_key,
        "Other",
        user,
        secret_block,
        timestamp,
        &signature
    ));
    assert!(!verify_claim(
        &server_key,
        pool,
        user,
        b"other block",
        timestamp,
        &signature
    ));
    assert!(!verify_claim(
        &server_key,
        pool,
        user,
        secret_block,
        timestamp,
        ""
    ));
    assert!(!verify_claim(
        &server_key,
        pool,
        user,
        secret_block,
        timestamp,
        "%%%"
    ));

    let wrong_key = client
        .session_key(pool, user, "Correct-Horse-2", &stored.salt_hex(), &b_hex)
        .unwrap();
    assert_ne!(wrong_key, server_key);
    let wrong = STANDARD.encode(claim_signature(
        &wrong_key,
        pool,
        user,
        secret_block,
        timestamp,
    ));
    assert!(!verify_claim(
        &server_key,
        pool,
        user,
        secret_block,
        timestamp,
        &wrong
    ));
}

struct PycognitoVector {
    pool_id: &'static str,
    user_id: &'static str,
    password: &'static str,
    salt: &'static str,
    a: &'static str,
    b: &'static str,
    secret_block: &'static str,
    salt_param: &'static str,
    verifier: &'static str,
    srp_a: &'static str,
    srp_b: &'static str,
    u: &'static str,
    key: &'static str,
    timestamp: &'static str,
    signature: &'static str,
}

const PYCOGNITO_VECTORS: [PycognitoVector; 2] = [
PycognitoVector {
    pool_id: "us-east-1_AbC123xyz",
    user_id: "jöhn.doe",
    password: "Pässw0rd!",
    salt: "b1946ac92492d2347c6235b4d2611184",
    a: "d98e7a9dec9daf9be3c8a85fde2a139d1de561aeb52122c997ed0b6c81c9bfc64205b5d62f22228f2124a18a7ec03ace8e95d4a3e4c7bac8f0295fe6451b16d7d98e7a9dec9daf9be3c8a85fde2a139d1de561aeb52122c997ed0b6c81c9bfc64205b5d62f22228f2124a18a7ec03ace8e95d4a3e4c7bac8f0295fe6451b16d7",
    b: "6456ab28c6d8f075679b3a7eaf2eeea0d40122e3309422bba700a3a79d116a8f2c23af9914f182b01bd2f77ef9d0e1887a24687fe00877d95a2f368bb19703936456ab28c6d8f075679b3a7eaf2eeea0d40122e3309422bba700a3a79d116a8f2c23af9914f182b01bd2f77ef9d0e1887a24687fe00877d95a2f368bb1970393",
    secret_block: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJw==",
    salt_param: "00b1946ac92492d2347c6235b4d2611184",
    verifier: "c6193f1f9556f0cd69c546400fb73f4838c0ac31140738b100c4538b3dfecd1f3bfc7c20561b8b4a316d8c64fd118b894e215f405b97f2671a22d7153b0a7a690f55d08d2325491269155f27447da19ce5e1e1bb1851e7a06ec1fadeb2dfc69d367019642c32ef6982c4046d5b203fea6e1913a0180e7de975f631bce4ac3a349987bb8494383d20b74d220a47eb68291d3a2dd1737dae9b38c4f44350a1b86f6f4c02cb3e5b3a35aaaefdf01cc3832e9c7d1be73cb1c0b7abf8eeb6bf227095edcf63e9c9c9b7c781d669bd9af59a01a5b598f4bf2951b717558e458fc1ca458f8e2dbd624f6a8b03b22c86fbed4042d26afe5ee160827dc1c034a054aed219773a4ad3a478b3d53a3ab0cff9ac452d0dfc04b43ba42daf023e947c1467438069190d4fcd3b04dcbf46109767e4757aae89ffed2b6734b1c11ef8c7dd1cb369d597785248cc8f6487b5ade986db648bfa70ab39d54659d2c96ba80940ab515af994329a383d4927f1d7157560461c301461542fa5556157c002685ee56ad80c",
    srp_a: "c1859e521115d24d115cc9bb2dc4480159072bd701d04a970579a5a426758ad1fcb3c345e342212e91c2b1edc09baca301426fb9c86ad5b3fecd104797b3ead81143cda3e3705532547520eebbd9301ec68f29e49f59e3a2be84f5fe470f3bad01971ba48a7dcbf81ad23f1b1524520507d866531ea97c5bfc0a7e3083d8c06e15a3ca8651f2acc0eca3b74ebff3e2173bd047324f824d2e38e029d774fa85318f505645a556d71e849f3af405af13632c5c0acc17af05917d83c319559d3b9b5a651480301aa53325192a9b786f05008d50bfe1c03e6f9b02f61ec5b831a87127a02b2080721f131401191efdf3339655e12f0d8c316028465b0323f7d9fa55d279cf3fdafd78933ff9abb6b3021edb4a696ad1d300c96ed059b5563e71d945e36ffce3bda0aae2bc2c28868714cc45b75fb773a36f660061c156e22ed4a400d23dd9811112ffa580e56fe97fd66868336860d834674446e3c794b20c6130e2cdafb3b05b3207c22ffa0325891c7dba199c587ac8c2d325e7609fcebccdde8b",
    srp_b: "68beb2d5a4da8e51936e6d3ea31da1cc829fa3e95823630a16e489dfe8927955bc67218e39681be1b128681e78f56946f7bce71ffa2b9e30e8935c9b5c7e596e167090f408ed2b95da014f49f1b6f82860265a5c16a37023edc921e832d2639ffe7d36ffcdab4468dbf6bc1374ab01700f1ae00c6e19b5bdc8bebc966275adc646fe7c772a6e563a01db0e31be604d10b53aa9bf9047bb792ffc2800140262068c38eacc44adc5f389212cb0ffd1ddaf1c776685b90697ec1bf754da2b778cc2f56876d129a5bf2ca5ecb0f63e9a87b6e9094c85c715803ba135c21b98d297a7e23b2ab10808f41308210112c25a78f804af5502f3b4aa1ac36a8e893819c8b30185c14dc29e521b54eef87a253fe5720351f9dc9741be07330bb6558e2a0ead75e9448b3c3495ce2a0d3c7741a69a2ef68ecf5fc4eb03ee629529dc7f58535bd9c77dba30477e49a08ebef9f4818845e8b3b3d12f5966ab1b72ca58defd05655a34c4abcb443560a39d798a64c4b05622123429892ac8f6d7d8d01719bcc1f4",
    u: "d954e06d6a993550d27e0ebae7b91c1948193f99c75717c653c50a389434d854",
    key: "317e3f1ed73d44b6401eef156ffc377b",
    timestamp: "Tue Nov 5 09:03:07 UTC 2024",
    signature: "WXsfP0StrG71HTkErk4lAiVW+6MrNSTmvVpxL1+5jjU=",
},
PycognitoVector {
    pool_id: "eu-west-2_Zx9",
    user_id: "3f6c2a9e-1b7d-4c52-9a8e-5d0f4b2c7e11",
    password: "hunter2-Hunter2",
    salt: "000fab5c3d7e9a1b2c4d6e8f0a1b2c3d",
    a: "7c49027b3dd9eae872e30e72cced824fefefbdd51902e904705b82486f3468bf8421c0daa9f4766ecb2c16a4bcf274f5bbefec8c19786757a1d661ff20bdebb27c49027b3dd9eae872e30e72cced824fefefbdd51902e904705b82486f3468bf8421c0daa9f4766ecb2c16a4bcf274f5bbefec8c19786757a1d661ff20bdebb2",
    b: "e5cc6ad6044e278718e7bbebb9c6a3a5c65b3e3fe5b09a532152f741851410d0eff08630a7632ab3386e49b51915b328012e956fe2a116867a22336a76284410e5cc6ad6044e278718e7bbebb9c6a3a5c65b3e3fe5b09a532152f741851410d0eff08630a7632ab3386e49b51915b328012e956fe2a116867a22336a7628441",
    secret_block: "/////////29wYXF1ZQ==",
    salt_param: "0fab5c3d7e9a1b2c4d6e8f0a1b2c3d",
    verifier: "643e526792e3491df73d6e28f8e758ab081118c01f3073b2df36f6f25f3cda08f2e7a7e72e688471f1054d505af12c2b6b377f20b71d79bbe764892dd06a990ab916b6abbd683824cf707be692162ff17bb07dc758732555e3e846968b67ed3ffd3ff3935aac4cb1bf3b7cdc7696d9f593e25aaa64fd0c0c5b727383aeb315df12ad90adcd0c14fedf4ee629c6d762cc58af3cb5b8ccc5b98bf8488898007b0910546464f2e9e3373b3090a8fce6a65865e945bdfda7ca853eee9e110e8796dbe3a16a718a5de1feff4afeea59d13a8a27ad578c929109708623edcbb00e75155e18e6463e884a5ae1a2e0c99cadaf833dc3be3d31a71e39759572df68087aa5ef19ad143c7b6e68ccd1a63ea990b5fad8b963b8f6c65bfc158f993aeea159add05eb67813cb995055a7659f24f038db4f34c0dd08c1cd36835a9ebb307643bf2db3b5e4d50a825482a687c2a254286b2620ea4ef3bb63bfda62ad215c4c28fcd16201a3be8f020aac5cc850502ab86c8126f90f3da858b4f55618ddaf601ffa",
    srp_a: "32441db771a887ff821fe55392991b36ed7d9fa4cb91e0291902fff11d8d8a27f1ca8b9e9d8bd76f8d93924208755500643e32f4a1bb9754d2423374e6d916af9431c6965f6a8c791ca026b0d4bb8e6a48906e9762d3d832db95566fc1863567448e74171fef687150fe41529863b11b0c492036097a9c3b0d9eb0d67a2781280ff0d845ad004e563911fd8356cdd6fe548baa1f9a0ea4ba5441efebb8f150f5eec26e4c863be8615d9c1239e585e7f7fe54a72def64f8ec42d552619bb649c8ccfaf9307c266bf9b04862f3de92c8caf1ee849d9fa401b1d093bdf48321967a358f68455c5c9cf628df7eadc81d7c1e0d7194b22ab7ebde6e478c58b14513570b540e3c2c42fe63b601101aaf63ad21304133e16974601a18f93777641d3bf18dc29489eb80ebf0f2f4d5d507aa48acbfc6281f5a3cb854b0ff464aa5ff70c3649c60c312b2b7b3b6ceaa6719531c6388f497d6e60ad0bd3ee4bdf62bce38bfb85e1793d1078c198cdc7bc00c6cfa714d7b15f40d6d636367960bbd7de77d47",
    srp_b: "e8aca64c787d290f7fae44f5a1444ca981c3aced0cfe5cc9a97641646a2aee5f6af0b6e1c58f87a2347ef059585f9a2781075d20d7a97fa9656bc3946c269d606cd79ec4db3556342681458215aeb20fd8ceda84f1f8618489f5d1bde0ad072fdd010f242a19f429f9bb93cde044a6175e6fe18e55eb414a902f2032b0785980b4ee5d50f02d13354a8a0d4e508a0c29f89098b55c4decf1c0f3dcf093b3fa7a98d9257f8cadc58b227066873533746a2ab0e887f75661e35f97e066c7804600d584402df93a3c23e55fe882a3fc63c11ddaedda5583d209d7e6ac8c6b22221aa515971c3fe175261f221a3aea2766542bd769f703819a9f569bf1e220e457089ff56f9f62690720efb52d98d5211011d737479c3bb35f02bee67c44cb0c6ccae62d50eb241cca0b92979d16771da49e5100829436f42d5c1af523aae5b8cec7b736154c5386d7ea4b40beb6dbebfa56a186fbc1b2a0f3208ebc319eabb4e1b9f1d5e329f206c44c4df723d15171b88326939878f4dc052cae0900852f8963ab",
    u: "89285b5a3475d24bac026804b829f9177b38057e1b268de2494beec9d8af1b87",
    key: "ea63d1b9cd5327e112ff13bd445cfc7b",
    timestamp: "Sun Mar 23 23:59:00 UTC 2025",
    signature: "rfNFesnt69+nggi9PXIEKohFRT9xGJHaDJY/7/gjkyE=",
},
];

/// Two USER_SRP_AUTH exchanges as pycognito 2024.5.1 computes them. Generated by this script
/// (kept verbatim; run in a venv with `pip install pycognito==2024.5.1`):
///
/// ```text
/// # Known-answer vectors for crypto/srp.rs, client side produced by pycognito 2024.5.1.
/// #   python3 -m venv venv && venv/bin/pip install pycognito==2024.5.1 && venv/bin/python srp_kat.py
/// # The server-side values (v, B) use the reference pseudo-code (wire facts §5.7) built on
/// # pycognito's own helpers; PASSWORD_CLAIM_SIGNATURE comes from AWSSRP.process_challenge
/// # with `datetime` patched so TIMESTAMP is fixed.
/// import base64, datetime, hashlib
/// from unittest import mock
/// from pycognito import aws_srp
/// from pycognito.aws_srp import AWSSRP, pad_hex, hex_hash, hash_sha256, hex_to_long, calculate_u
///
/// def vector(pool_id, user_id, password, salt_hex, a_seed, b_seed, secret_block, now):
///     a = int.from_bytes(hashlib.sha512(a_seed).digest() * 2, "big")  # 128 bytes
///     b = int.from_bytes(hashlib.sha512(b_seed).digest() * 2, "big")  # 128 bytes
///     srp = AWSSRP(user_id, password, pool_id, "client-id", client=object())
///     srp.small_a_value = a
///     srp.large_a_value = srp.calculate_a()
///     N, g, k = srp.big_n, srp.val_g, srp.val_k
///     salt_int = int(salt_hex, 16)
///     pool_name = pool_id.split("_")[1]
///     x = hex_to_long(hex_hash(pad_hex(salt_int) + hash_sha256(f"{pool_name}{user_id}:{password}".encode())))
///     v = pow(g, x, N)
///     B = (k * v + pow(g, b, N)) % N
///     challenge = {"USERNAME": user_id, "USER_ID_FOR_SRP": user_id, "SALT": pad_hex(salt_int),
///                  "SRP_B": f"{B:x}", "SECRET_BLOCK": secret_block}
///     with mock.patch.object(aws_srp, "datetime") as dt:
///         dt.datetime.utcnow.return_value = now
///         resp = srp.process_challenge(challenge, {"USERNAME": user_id})
///     key = srp.get_password_authentication_key(user_id, password, B, challenge["SALT"])
///     for name, val in [("pool_id", pool_id), ("user_id", user_id), ("password", password),
///                       ("salt", salt_hex), ("a", f"{a:x}"), ("b", f"{b:x}"),
///                       ("secret_block", secret_block), ("k", f"{k:x}"),
///                       ("SALT", challenge["SALT"]), ("v", f"{v:x}"),
///                       ("SRP_A", f"{srp.large_a_value:x}"), ("SRP_B", challenge["SRP_B"]),
///                       ("u", f"{calculate_u(srp.large_a_value, B):x}"), ("K", key.hex()),
///                       ("TIMESTAMP", resp["TIMESTAMP"]),
///                       ("SIGNATURE", resp["PASSWORD_CLAIM_SIGNATURE"])]:
///         print(f"{name:12} = {val}")
///     print()
///
/// vector("us-east-1_AbC123xyz", "jöhn.doe", "Pässw0rd!", "b1946ac92492d2347c6235b4d2611184",
///        b"client a", b"server b", base64.standard_b64encode(bytes(range(40))).decode(),
///        datetime.datetime(2024, 11, 5, 9, 3, 7))
/// # Salt with a leading zero byte: SALT is the canonical hex of the integer ("0fab…", 15 bytes).
/// vector("eu-west-2_Zx9", "3f6c2a9e-1b7d-4c52-9a8e-5d0f4b2c7e11", "hunter2-Hunter2", "000fab5c3d7e9a1b2c4d6e8f0a1b2c3d",
///        b"client a 2", b"server b 2", base64.standard_b64encode(b"\xff" * 7 + b"opaque").decode(),
///        datetime.datetime(2025, 3, 23, 23, 59, 0))
/// ```
#[test]
fn pycognito_known_answers() {
    for vector in &PYCOGNITO_VECTORS {
        let pool = pool_name(vector.pool_id);
        let salt = hex_to_bytes(vector.salt).unwrap();
        let stored = compute_verifier(pool, vector.user_id, vector.password, &salt);
        assert_eq!(stored.salt_hex(), vector.salt_param);
        assert_eq!(stored.verifier, int(vector.verifier));

        let a_pub = parse_client_public(vector.srp_a).unwrap();
        assert_eq!(generator().modpow(&int(vector.a), modulus()), a_pub);
        let b = int(vector.b);
        let b_pub = server_b(&stored.verifier, &b);
        assert_eq!(b_pub.to_str_radix(16), vector.srp_b);
        let u = compute_u(&a_pub, &b_pub);
        assert_eq!(u.to_str_radix(16), vector.u);

        let key = session_key(&a_pub, &stored.verifier, &u, &b);
        assert_eq!(to_hex(&key), vector.key);
        let secret_block = STANDARD.decode(vector.secret_block).unwrap();
        let signature =
            claim_signature(&key, pool, vector.user_id, &secret_block, vector.timestamp);
        assert_eq!(STANDARD.encode(signature), vector.signature);
        assert!(verify_claim(
            &key,
            pool,
            vector.user_id,
            &secret_block,
            vector.timestamp,
            vector.signature
        ));

        // The client side from the same inputs reaches pycognito's signature.
        let a: [u8; 128] = hex_to_bytes(vector.a).unwrap().try_into().unwrap();
        let client = SrpClient::new(&a);
        assert_eq!(client.srp_a(), vector.srp_a);
        let challenge = PasswordVerifier {
            salt: vector.salt_param,
            srp_b: vector.srp_b,
            secret_block: vector.secret_block,
            user_id_for_srp: vector.user_id,
        };
        let claim = client.password_claim(
            vector.pool_id,
            &challenge,
            vector.password,
            vector.timestamp,
        );
        assert_eq!(claim.as_deref(), Some(vector.signature));

        let wrong = compute_verifier(pool, vector.user_id, "not the password", &salt);
        let wrong_key = session_key(&a_pub, &wrong.verifier, &u, &b);
        assert!(!verify_claim(
            &wrong_key,
            pool,
            vector.user_id,
            &secret_block,
            vector.timestamp,
            vector.signature
        ));
    }
}

/// `private_key` works on bytes; the clients build `x` from hex strings (pycognito
/// `calculate_u`/`get_password_authentication_key`: `hex_hash(pad_hex(salt) + hex(sha256(...)))`).
/// Both routes must agree on the salts where `padHex` adds or drops bytes.
#[test]
fn private_key_matches_the_clients_hex_route() {
    let mut high = [0x11u8; 16];
    high[2] = 0x80;
    high[0] = 0;
    high[1] = 0;
    for salt in [[0u8; 16], [0xff; 16], [0x7f; 16], high, [1; 16]] {
        let identity = to_hex(&Sha256::digest("AbC123alice:pw".as_bytes()));
        let via_hex = hex_hash(&(pad_hex(&BigUint::from_bytes_be(&salt)) + &identity));
        assert_eq!(
            to_hex(&private_key("AbC123", "alice", "pw", &salt)),
            via_hex
        );
    }
}

/// amazon-cognito-identity-js DateHelper / pycognito's format (wire facts §5.2); the epoch
/// seconds of the pycognito vectors' datetimes.
#[test]
fn client_timestamps() {
    assert_eq!(timestamp(1_730_797_387), "Tue Nov 5 09:03:07 UTC 2024");
    assert_eq!(timestamp(1_742_774_340), "Sun Mar 23 23:59:00 UTC 2025");
    assert_eq!(timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
    assert_eq!(timestamp(951_782_400), "Tue Feb 29 00:00:00 UTC 2000");
}
