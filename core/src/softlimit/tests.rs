use super::*;
use proptest::prelude::*;

fn args(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn all_steps(words: &[&str]) -> Vec<Step> {
    steps(&args(words)).collect()
}

//= spec/tools.md#softlimit-2
#[test]
fn values_as_0_76_reads_them() {
    assert_eq!(parse_value(b"="), Ok(Value::Hard));
    assert_eq!(parse_value(b""), Ok(Value::Number(0)));
    assert_eq!(parse_value(b"0"), Ok(Value::Number(0)));
    assert_eq!(parse_value(b"0012"), Ok(Value::Number(12)));
    assert_eq!(parse_value(b"12x"), Err(BadValue));
    assert_eq!(parse_value(b"=="), Err(BadValue));
    assert_eq!(parse_value(b"=1"), Err(BadValue));
    assert_eq!(parse_value(b"-5"), Err(BadValue));
    assert_eq!(parse_value(b"+5"), Err(BadValue));
    assert_eq!(parse_value(b" 5"), Err(BadValue));
    assert_eq!(
        parse_value(b"18446744073709551615"),
        Ok(Value::Number(u64::MAX))
    );
    // Too many digits wrap around, as scan_ulong does.
    assert_eq!(parse_value(b"18446744073709551616"), Ok(Value::Number(0)));
    assert_eq!(parse_value(b"18446744073709551617"), Ok(Value::Number(1)));
}

//= spec/tools.md#softlimit-3
#[test]
fn the_soft_limit_never_exceeds_the_hard_one() {
    assert_eq!(soft_limit(Value::Hard, 20000), 20000);
    assert_eq!(soft_limit(Value::Number(10), 20000), 10);
    assert_eq!(soft_limit(Value::Number(99_999_999), 20000), 20000);
    assert_eq!(soft_limit(Value::Number(5), u64::MAX), 5);
    assert_eq!(soft_limit(Value::Hard, u64::MAX), u64::MAX);
}

//= spec/tools.md#softlimit-1
#[test]
fn which_resources_each_letter_sets() {
    use Resource::*;
    assert_eq!(resources(b'm'), Some(&[Data, Stack, Memlock, As][..]));
    assert_eq!(resources(b'a'), Some(&[As][..]));
    assert_eq!(resources(b'o'), Some(&[Nofile, Nofile][..]));
    assert_eq!(resources(b't'), Some(&[Cpu][..]));
    assert_eq!(resources(b'x'), None);
    for letter in OPTIONS.iter().filter(|&&c| c != b':') {
        assert!(resources(*letter).is_some(), "{}", *letter as char);
    }
}

//= spec/tools.md#softlimit-4
#[test]
fn steps_in_order_then_run_or_usage() {
    use Resource::*;
    assert_eq!(
        all_steps(&["softlimit", "-o", "=", "-c0", "true", "-t", "1"]),
        vec![
            Step::Limit {
                resources: &[Nofile, Nofile],
                value: Value::Hard
            },
            Step::Limit {
                resources: &[Core],
                value: Value::Number(0)
            },
            Step::Run { child: 4 },
        ]
    );
    assert_eq!(all_steps(&["softlimit"]), vec![Step::Usage(None)]);
    assert_eq!(
        all_steps(&["softlimit", "-c", "1"]),
        vec![
            Step::Limit {
                resources: &[Core],
                value: Value::Number(1)
            },
            Step::Usage(None)
        ]
    );
    assert_eq!(
        all_steps(&["softlimit", "-o", "12x", "-c", "1", "true"]),
        vec![Step::Usage(None)]
    );
    assert_eq!(
        all_steps(&["softlimit", "-z", "true"]),
        vec![Step::Usage(Some(Opt::Illegal(b'z')))]
    );
    assert_eq!(
        all_steps(&["softlimit", "-t"]),
        vec![Step::Usage(Some(Opt::MissingArgument(b't')))]
    );
    assert_eq!(
        all_steps(&["softlimit", "--", "-t"]),
        vec![Step::Run { child: 2 }]
    );
}

proptest! {
    //= spec/tools.md#softlimit-2
    #[test]
    fn digits_parse_as_their_number(n in any::<u64>()) {
        prop_assert_eq!(parse_value(n.to_string().as_bytes()), Ok(Value::Number(n)));
    }

    //= spec/tools.md#softlimit-2
    #[test]
    fn anything_with_a_non_digit_is_refused(arg in proptest::collection::vec(any::<u8>(), 1..12)) {
        let accepted = arg == b"=" || arg.iter().all(u8::is_ascii_digit);
        prop_assert_eq!(parse_value(&arg).is_ok(), accepted);
    }

    //= spec/tools.md#softlimit-3
    #[test]
    fn soft_is_at_most_hard(n in any::<u64>(), hard in any::<u64>()) {
        let soft = soft_limit(Value::Number(n), hard);
        prop_assert!(soft <= hard);
        prop_assert!(soft == n || soft == hard);
    }

    //= spec/tools.md#softlimit-4
    #[test]
    fn steps_end_with_exactly_one_run_or_usage(
        words in proptest::collection::vec(prop_oneof![
            Just("-o".to_string()), Just("=".to_string()), Just("-c1".to_string()),
            Just("-z".to_string()), Just("--".to_string()), Just("x".to_string()), "[0-9a]{0,3}"
        ], 0..6)
    ) {
        let mut argv = vec![b"softlimit".to_vec()];
        argv.extend(words.into_iter().map(String::into_bytes));
        let all: Vec<Step> = steps(&argv).collect();
        let (last, before) = all.split_last().expect("at least one step");
        let ends_well = matches!(last, Step::Usage(_) | Step::Run { .. });
        let limits_before = before.iter().all(|s| matches!(s, Step::Limit { .. }));
        prop_assert!(ends_well, "last step {:?}", last);
        prop_assert!(limits_before, "steps {:?}", before);
        if let Step::Run { child } = last {
            prop_assert!(*child < argv.len());
        }
    }
}
