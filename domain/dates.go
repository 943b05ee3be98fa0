package domain

// DateLayout is the layout of calendar dates in events ("2022-03-21").
const DateLayout = "2006-01-02"
