from raqmana.civil_status.idcs import is_valid_idcs, new_idcs


def test_idcs_has_twelve_digits_and_checks_itself():
    values = {new_idcs() for _ in range(2000)}
    assert len(values) == 2000
    assert all(len(value) == 12 and value.isdigit() and is_valid_idcs(value) for value in values)


def test_every_single_mistyped_digit_and_swap_is_caught():
    value = new_idcs()
    for position in range(12):
        for digit in "0123456789":
            if digit != value[position]:
                assert not is_valid_idcs(value[:position] + digit + value[position + 1 :])
    for position in range(11):
        if value[position] != value[position + 1]:
            swapped = value[:position] + value[position + 1] + value[position] + value[position + 2 :]
            assert not is_valid_idcs(swapped)


def test_idcs_is_not_sequential():
    first, second = new_idcs(), new_idcs()
    assert abs(int(first[:11]) - int(second[:11])) > 1
