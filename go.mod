module github.com/bestedm/bestedm-go

go 1.23.0

require (
	github.com/google/go-querystring v1.2.0
	github.com/jarcoal/httpmock v1.4.2
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
	golang.org/x/net v0.43.0
	golang.org/x/text v0.28.0
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
