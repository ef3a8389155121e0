from raqmana.kernel.codes import CODE_ALPHABET, is_code, random_code


def test_codes_use_no_symbol_misread_by_hand():
    assert len(CODE_ALPHABET) == 32 and not set("0O1I") & set(CODE_ALPHABET)
    code = random_code(16)
    assert len(code) == 16 and is_code(code, 16)


def test_a_typed_code_of_another_alphabet_or_length_is_no_code():
    assert not is_code("ABCD0EFGH", 9)
    assert not is_code("ABCD", 5)
