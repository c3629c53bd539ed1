var x = 1; // not stock
