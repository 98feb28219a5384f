import { describe, expect, it } from 'vitest';
import { parseEmployeeRef } from '../../../src/preview/employee-ref';
import { applyOverrides, parseOverrides } from '../../../src/preview/overrides';

describe('parseOverrides', () => {
  it('takes field=value and field:value, splitting at the first separator', () => {
    expect(parseOverrides(['department=Sales', 'jobTitle:SRE', 'location=Berlin: HQ', 'division:'])).toEqual({
      department: 'Sales',
      jobTitle: 'SRE',
      location: 'Berlin: HQ',
      division: null,
    });
  });

  it.each([
    ['firstName=Ann', /unknown field "firstName" \(fields: department, division, jobTitle, location, employmentType, managerId, workEmail, timeZone\)/],
    ['department', /not field=value/],
    ['=Sales', /not field=value/],
    ['timeZone=Mars/Olympus', /not an IANA time zone/],
  ])('refuses %s', (text, message) => {
    expect(() => parseOverrides([text])).toThrow(message);
  });

  it('refuses a field set twice', () => {
    expect(() => parseOverrides(['department=Sales', 'department=Legal'])).toThrow('department is set more than once');
  });

  it('applies values and clears null ones without touching the input', () => {
    const worker = { department: 'Engineering', jobTitle: 'SRE', firstName: 'Ann' };
    expect(applyOverrides(worker, { department: 'Sales', jobTitle: null })).toEqual({ department: 'Sales', firstName: 'Ann' });
    expect(worker.department).toBe('Engineering');
  });
});

describe('parseEmployeeRef', () => {
  it('reads source:id, and a bare ID as BambooHR', () => {
    expect(parseEmployeeRef('951')).toEqual({ source: 'bamboohr', employeeId: '951', workflowId: 'employee-bamboohr-951' });
    expect(parseEmployeeRef('workday:W-9')).toEqual({ source: 'workday', employeeId: 'W-9', workflowId: 'employee-workday-W-9' });
  });

  it.each([
    ['adp:1', /unknown HR source "adp"/],
    ['bamboohr:', /not an employee ID/],
    ['12/34', /not an employee ID/],
  ])('refuses %s', (text, message) => {
    expect(() => parseEmployeeRef(text)).toThrow(message);
  });
});
